"""`jeugdstelsel gebruiker` and `token` as an administrator runs them on a fresh store."""

from __future__ import annotations


def test_user_gets_a_role_and_an_expiring_token_that_can_be_revoked(shell):
    shell.env["JEUGDSTELSEL_GEBRUIKER_WACHTWOORD"] = "een-lang-testwachtwoord-42"
    done = shell.run("gebruiker", "piet", "--gemeente", "Tiel", "--rol", "raadslid")
    assert done.returncode == 0, done.explain()
    assert "raadslid in Tiel" in done.stdout and "GM0281" in done.stdout
    key = shell.run("token", "piet")
    assert key.returncode == 0, key.explain()
    assert len(key.stdout.strip()) == 40 and "Geldig tot" in key.stderr
    again = shell.run("token", "piet")
    assert again.stdout == key.stdout  # the valid key, not a new one
    renewed = shell.run("token", "piet", "--vernieuw")
    assert renewed.stdout != key.stdout
    gone = shell.run("token", "piet", "--intrekken")
    assert gone.returncode == 0 and "ingetrokken" in gone.stdout


def test_bad_role_and_ambiguous_municipality_give_codes(shell):
    shell.env["JEUGDSTELSEL_GEBRUIKER_WACHTWOORD"] = "een-lang-testwachtwoord-42"
    role = shell.run("gebruiker", "piet", "--gemeente", "Tiel", "--rol", "koning")
    assert role.returncode == 1 and "rol_ongeldig" in role.stderr
    area = shell.run("gebruiker", "piet", "--gemeente", "Amstel", "--rol", "raadslid")
    assert area.returncode == 1 and "gemeente_onbekend" in area.stderr
    assert "Traceback" not in role.output + area.output
