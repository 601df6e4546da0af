"""CLI commands of the web application: ``serve``, ``beheerder`` and ``token``.

``serve`` runs the application the way a server would (waitress + whitenoise, migrated database,
collected static files), not Django's development server, so what a policy advisor sees on her
laptop is what a municipality runs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading

import typer

from jeugdstelsel.cli.common import store_description

SETTINGS = "jeugdstelsel.web.settings"
PASSWORD_ENV = "JEUGDSTELSEL_BEHEERDER_WACHTWOORD"


def _setup(static_manifest: bool = False) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS)
    if static_manifest:
        os.environ.setdefault("JEUGDSTELSEL_STATIC_MANIFEST", "1")
    import django

    django.setup()


def serve(
    port: int = typer.Option(8000, "--port", "-p", help="Poort om op te luisteren."),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Adres om op te luisteren; 0.0.0.0 voor het hele netwerk (zet dan ook "
        "DJANGO_ALLOWED_HOSTS en gebruik HTTPS via een proxy).",
    ),
    threads: int = typer.Option(8, "--threads", help="Aantal gelijktijdige verzoeken."),
    workers: int = typer.Option(
        1,
        "--rekenprocessen",
        "--workers",
        min=0,
        help="Aantal rekenprocessen voor het scenariolab (0: geen; dan blijven berekeningen "
        "in de wachtrij staan tot een apart gestart rekenproces ze oppakt).",
    ),
) -> None:
    """Start de webapplicatie (dashboard, scenariolab, Kwaliteitskompas, API) met waitress."""
    _setup(static_manifest=True)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from waitress import serve as waitress_serve

    typer.echo(f"Database: {store_description()}")
    call_command("migrate", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    if not get_user_model().objects.filter(is_superuser=True, is_active=True).exists():
        typer.secho(
            "Er is nog geen beheerder. Maak er een aan in een tweede terminal met:\n"
            "    jeugdstelsel beheerder <gebruikersnaam>\n"
            "en log daarna in op /inloggen. Via /beheer voegt u gemeenten en gebruikers toe.",
            fg=typer.colors.YELLOW,
        )
    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.lab import worker
    from jeugdstelsel.web.wsgi import application  # after collectstatic: whitenoise scans it

    requeued = worker.requeue_interrupted()
    if requeued:
        typer.echo(f"{requeued} onderbroken berekening(en) staan weer in de wachtrij.")
    pool = WorkerPool(workers)
    pool.start()
    _prepare_dashboard()
    # the bands of the municipalities with a workspace here, while the first visitors come in
    threading.Thread(target=modelbridge.warm, name="modelband", daemon=True).start()
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"De webapplicatie draait op http://{shown}:{port}/  (stoppen: Ctrl+C)")
    signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        waitress_serve(application, host=host, port=port, threads=threads, ident="jeugdstelsel")
    except KeyboardInterrupt:
        pass
    finally:
        pool.stop()


def _prepare_dashboard() -> None:
    """The country's model band, its Routekaart and the rendered dashboard, before listening.

    Why before: computed on the first visits they cost about 3 s of the server's time in which
    every early visitor waited (issue 17: dashboard p95 within 1 s, from the first visit on).
    """
    import time

    from jeugdstelsel.numbers import nl_number
    from jeugdstelsel.web import modelbridge
    from jeugdstelsel.web.dashboard import views
    from jeugdstelsel.web.kompas.models import Municipality

    started = time.perf_counter()
    typer.echo("Dashboard voorbereiden (landelijke modelband, Routekaart)…")
    modelbridge.warm(codes=())
    views.national_context()
    for code in Municipality.objects.values_list("code", flat=True):
        views.municipal_context(code)
    typer.echo(f"Dashboard klaar in {nl_number(time.perf_counter() - started, 1)} s.")


def _raise_interrupt(*_args) -> None:
    raise KeyboardInterrupt


class WorkerPool:
    """The scenario lab's worker processes, restarted when one dies (see ``web.lab.worker``)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.procs: list[subprocess.Popen] = []
        self.stopping = threading.Event()

    def _spawn(self) -> subprocess.Popen:
        env = os.environ.copy()
        # Leave a core to the web server: the model kernel is parallel over draws and would
        # otherwise take every core while a scenario runs (the worker also runs at nice 10).
        env.setdefault("NUMBA_NUM_THREADS", str(max(1, (os.cpu_count() or 2) - 1)))
        return subprocess.Popen([sys.executable, "-m", "jeugdstelsel.web.lab.worker"], env=env)

    def start(self) -> None:
        if self.n <= 0:
            return
        self.procs = [self._spawn() for _ in range(self.n)]
        typer.echo(
            f"Rekenprocessen voor het scenariolab: {', '.join(str(p.pid) for p in self.procs)}"
        )
        threading.Thread(target=self._watch, name="rekenprocessen", daemon=True).start()

    def _watch(self) -> None:
        while not self.stopping.wait(2.0):
            for i, proc in enumerate(self.procs):
                if proc.poll() is not None and not self.stopping.is_set():
                    typer.secho(
                        f"Rekenproces {proc.pid} stopte (code {proc.returncode}); opnieuw gestart.",
                        fg=typer.colors.YELLOW,
                    )
                    self.procs[i] = self._spawn()

    def stop(self) -> None:
        self.stopping.set()
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def beheerder(
    username: str = typer.Argument(..., help="Gebruikersnaam van de beheerder."),
    email: str = typer.Option("", "--email", help="E-mailadres (niet verplicht)."),
) -> None:
    """Maak een beheerder aan (of geef een bestaande een nieuw wachtwoord).

    Het wachtwoord wordt gevraagd, of gelezen uit JEUGDSTELSEL_BEHEERDER_WACHTWOORD.
    """
    _setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    password = os.environ.get(PASSWORD_ENV) or typer.prompt(
        "Wachtwoord", hide_input=True, confirmation_prompt="Herhaal het wachtwoord"
    )
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first() or user_model(username=username)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        for message in exc.messages:
            typer.secho(f"Wachtwoord geweigerd: {message}", fg=typer.colors.RED, err=True)
        raise typer.Exit(1) from exc
    existed = user.pk is not None
    user.email = email or user.email
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    verb = (
        "heeft een nieuw wachtwoord en is beheerder" if existed else "is aangemaakt als beheerder"
    )
    typer.echo(f"Gebruiker '{username}' {verb}. Log in op /inloggen.")


def token(
    username: str = typer.Argument(..., help="Gebruiker voor wie de sleutel is."),
    renew: bool = typer.Option(False, "--vernieuw", help="Maak een nieuwe sleutel (de oude "
                               "vervalt)."),
    revoke: bool = typer.Option(False, "--intrekken", help="Trek de sleutel in."),
) -> None:
    """Toon (of maak) de API-sleutel van een gebruiker, voor 'Authorization: Token <sleutel>'.

    Een verlopen sleutel wordt nooit getoond: dan komt er een nieuwe.
    """
    _setup()
    from django.contrib.auth import get_user_model

    from jeugdstelsel.errors import JeugdstelselError
    from jeugdstelsel.web.api.auth import expires_at, issue_token, revoke_token

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise JeugdstelselError(f"gebruiker '{username}' bestaat niet")
    if revoke:
        had = revoke_token(user)
        typer.echo(f"Sleutel van '{username}' ingetrokken." if had
                   else f"'{username}' had geen sleutel.")
        return
    key = issue_token(user, renew=renew)
    typer.echo(key.key)
    typer.echo(f"Geldig tot {expires_at(key):%d-%m-%Y %H:%M}.", err=True)


def gebruiker(
    username: str = typer.Argument(..., help="Gebruikersnaam."),
    gemeente: str = typer.Option(..., "--gemeente", help="Gemeente: naam of GM-code."),
    rol: str = typer.Option(..., "--rol", help="Rol in die gemeente (zie de foutmelding voor "
                            "de mogelijke rollen)."),
    organisatie: str | None = typer.Option(None, "--organisatie",
                                           help="Partnerorganisatie (voor de rol partner)."),
    email: str = typer.Option("", "--email", help="E-mailadres."),
) -> None:
    """Geef een gebruiker een rol in een gemeente (maakt de gebruiker zo nodig aan).

    Een nieuwe gebruiker krijgt het wachtwoord dat gevraagd wordt, of dat uit
    JEUGDSTELSEL_GEBRUIKER_WACHTWOORD.
    """
    _setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from jeugdstelsel.data.municipalities import resolve
    from jeugdstelsel.web.kompas.members import grant_role
    from jeugdstelsel.web.kompas.models import Municipality

    call_command("migrate", interactive=False, verbosity=0)
    code, name = resolve(gemeente)  # a name or code as people write it; never a silent pick
    _, made = Municipality.objects.get_or_create(code=code, defaults={"name": name})
    if made:
        typer.echo(f"Gemeente {name} ({code}) is ingericht in de webapplicatie.")
    exists = get_user_model().objects.filter(username=username).exists()
    password = None
    if not exists:
        password = os.environ.get("JEUGDSTELSEL_GEBRUIKER_WACHTWOORD") or typer.prompt(
            "Wachtwoord", hide_input=True, confirmation_prompt="Herhaal het wachtwoord")
    membership, created = grant_role(username, code, rol, organisation=organisatie,
                                     email=email, password=password)
    new = "aangemaakt en " if created else ""
    typer.echo(f"Gebruiker '{username}' is {new}{membership.get_role_display().lower()} in "
               f"{membership.municipality.name}.")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the main app."""
    app.command("serve")(serve)
    app.command("beheerder")(beheerder)
    app.command("token")(token)
    app.command("gebruiker")(gebruiker)
