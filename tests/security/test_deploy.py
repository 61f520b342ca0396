"""`groundbreak serve` will not run a production site with the key every copy of the code shares."""

from groundbreak import cli


def test_serve_refuses_the_built_in_secret_key(settings, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_setup", lambda: None)
    settings.DEBUG = False
    settings.SECRET_KEY = settings.INSECURE_DEFAULT_SECRET
    assert cli.serve(["--no-collectstatic"]) == 2
    assert "Refusing to serve: set SECRET_KEY" in capsys.readouterr().err
