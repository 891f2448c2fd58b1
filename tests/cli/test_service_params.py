"""Remote-source options: the command line over keysprawl.toml's [services]."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.cli.service_params import SERVICE_OPTION_NAMES, build_service_options
from scanner.service_config import service_options
from tests.conftest import run_keysprawl


def test_retry_delays_never_outlast_the_longest_wait_from_file_or_command_line():
    document = {"services": {"http": {"max_wait": 5, "backoff": 2}}}
    from_file = service_options(document, Path("keysprawl.toml"))
    assert (from_file.http.backoff, from_file.http.backoff_max) == (2.0, 5.0)
    unset = dict.fromkeys(SERVICE_OPTION_NAMES)
    assert build_service_options(unset, from_file).http == from_file.http
    longer = build_service_options({**unset, "max_wait": 600.0}, from_file)
    assert (longer.http.backoff_max, longer.http.max_wait) == (30.0, 600.0)


# Each mistake in [services] is one stderr line naming the file and the line it is on.
SERVICE_MISTAKES = {
    "url-type": ('[services.github]\ntoken_env = "GHE_TOKEN"\nurl = 8080\n', 3, "[services.github] url"),
    "unknown-key": ('[services.gitlab]\nurl = "https://g.example.com"\ntokenenv = "X"\n', 3, "tokenenv"),
    "retries": ("[policy]\n\n[services.http]\nworkers = 2\nretries = 99\n", 5, "[services.http] retries"),
    "unknown-table": ('[services.bitbucket]\nurl = "https://b.example.com"\n', 1, "[services] bitbucket"),
    "not-a-table": ('[services]\ngithub = "https://github.example.com"\n', 2, "[services] github"),
    "services-not-a-table": ('services = "github"\n', 1, "services: must be a table"),
    "token-env": ('\n[services.jira]\ntoken_env = "jira token"\n', 3, "token_env must name an environment"),
    "inline-table": ('[services]\njira = { url = "x" }\ngithub = { url = 5 }\n', 3, "[services.github] url"),
    "dotted-key": ('[policy]\n\n[services]\nhttp.retries = 99\n', 4, "[services.http] retries"),
}  # fmt: skip


@pytest.mark.parametrize(("text", "line", "says"), SERVICE_MISTAKES.values(), ids=SERVICE_MISTAKES)
def test_a_services_mistake_names_the_file_and_line(
    tmp_path: Path, text: str, line: int, says: str
) -> None:
    (tmp_path / "src").mkdir()
    config = tmp_path / "keysprawl.toml"
    config.write_text(text)
    for command in (("scan", "src"), ("config", "check")):
        result = run_keysprawl(*command, "--config", config, cwd=tmp_path)
        assert result.code == 2
        assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
        assert f"{config}:{line}: " in result.stderr and says in result.stderr
