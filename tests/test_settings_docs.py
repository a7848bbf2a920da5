"""The README documents every setting, with its environment variable (docs cannot drift from the code)."""
from pathlib import Path

from server.settings import Settings, field_help

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_readme_lists_every_setting_and_env_var() -> None:
    for name, env, _, _ in field_help():
        assert f"--{name.replace('_', '-')}" in README and env in README, name


def test_settings_from_env_coerce_types() -> None:
    s = Settings.from_env({"UGKG_PORT": "9001", "UGKG_QUERY_TIMEOUT_S": "2.5", "UGKG_SERVICE_ALLOW": "http://a/sparql  http://b/sparql?x=1,2"})
    assert s.port == 9001 and s.query_timeout_s == 2.5 and s.service_allow == ("http://a/sparql", "http://b/sparql?x=1,2")


def test_cli_flags_override_env() -> None:
    assert Settings.from_env({"UGKG_PORT": "9001"}, port=9002).port == 9002
