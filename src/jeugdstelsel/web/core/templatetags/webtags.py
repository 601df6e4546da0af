"""Template helpers: accessible form widgets and Dutch number formatting."""

from __future__ import annotations

from django import template

from jeugdstelsel.web.charts import nl_number

register = template.Library()


@register.simple_tag
def widget(field):
    """Render a field's widget linked to its help text and errors (aria-describedby)."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}_hulp")
    if field.errors:
        ids.append(f"{field.auto_id}_fout")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    if field.errors:
        attrs["aria-invalid"] = "true"
    if css := _nlds_class(field.field.widget, bool(field.errors)):
        attrs["class"] = " ".join(c for c in (field.field.widget.attrs.get("class"), css) if c)
    return field.as_widget(attrs=attrs)


def _nlds_class(widget, invalid: bool) -> str:
    """The NL Design System (Utrecht) component class of a form widget, '' for others."""
    from django.forms import widgets as forms

    if isinstance(widget, forms.CheckboxInput):
        name = "utrecht-checkbox utrecht-checkbox--html-input"
        return name + (" utrecht-checkbox--invalid" if invalid else "")
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
        name = "utrecht-select utrecht-select--html-select"
        return name + (" utrecht-select--invalid" if invalid else "")
    if isinstance(widget, forms.Textarea):
        name = "utrecht-textarea utrecht-textarea--html-textarea"
        return name + (" utrecht-textarea--invalid" if invalid else "")
    if isinstance(widget, forms.Input) and widget.input_type not in ("file", "hidden", "radio"):
        name = "utrecht-textbox utrecht-textbox--html-input"
        return name + (" utrecht-textbox--invalid" if invalid else "")
    return ""


@register.filter
def nl(value, decimals=None):
    """Dutch number notation (476.560; 12,5); empty for None."""
    if value is None or value == "":
        return ""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return nl_number(number, None if decimals is None else int(decimals))


@register.simple_tag
def show(value):
    """Render whatever the model declaration gives: text, list, table of dicts, or dict.

    Why generic: the transparency page must show the model's own declaration as it evolves,
    without a template change for every new field.
    """
    from django.utils.html import format_html, format_html_join
    from django.utils.safestring import mark_safe

    if isinstance(value, dict):
        return format_html(
            '<dl class="velden">{}</dl>',
            format_html_join(
                "",
                "<dt>{}</dt><dd>{}</dd>",
                ((k.replace("_", " "), show(v)) for k, v in value.items()),
            ),
        )
    if isinstance(value, list | tuple):
        if value and all(isinstance(v, dict) for v in value):
            keys = list(dict.fromkeys(k for v in value for k in v))
            head = format_html_join("", '<th scope="col">{}</th>', ((k,) for k in keys))
            rows = format_html_join(
                "",
                "<tr>{}</tr>",
                (
                    (format_html_join("", "<td>{}</td>", ((show(v.get(k, "")),) for k in keys)),)
                    for v in value
                ),
            )
            return format_html(
                '<div class="tabel-wrap" tabindex="0" role="group" aria-label="Tabel, '
                'horizontaal te schuiven op een smal scherm"><table class="utrecht-table '
                'utrecht-table--html-table"><thead><tr>{}</tr></thead>'
                "<tbody>{}</tbody></table></div>",
                head,
                rows,
            )
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li>{}</li>", ((show(v),) for v in value))
        )
    if isinstance(value, str) and value.startswith(("https://", "http://")):
        return format_html('<a href="{}">{}</a>', value, value)
    if isinstance(value, float | int) and not isinstance(value, bool):
        return nl_number(float(value))
    return format_html("{}", value) if value is not None else mark_safe("")


@register.filter
def percent(value):
    """0.345 -> '35%' (Dutch: no space before the sign in running text tables)."""
    if value is None or value == "":
        return ""
    return f"{nl_number(100 * float(value), 0)}%"


@register.filter
def minuten(value) -> str:
    """A timedelta as Dutch minutes: "15 minuten", "1 minuut"."""
    try:
        n = max(1, round(value.total_seconds() / 60))
    except AttributeError:
        return ""
    return "1 minuut" if n == 1 else f"{n} minuten"
