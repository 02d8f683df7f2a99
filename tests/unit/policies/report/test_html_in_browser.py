"""The HTML report opened in headless Chromium (Debian's `chromium`): it renders without
JavaScript, and the text a reader sees carries the summary, the statuses and the contact."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from allmende.policies.report.make import render, report_data
from tests.unit.policies.fixtures import TODAY


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("chromium is missing: `apt-get install chromium` (.ci/run installs it)")
    return found


def rendered_text(html_file: Path, profile: Path) -> str:
    result = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-javascript",
            f"--user-data-dir={profile}",
            "--dump-dom",
            html_file.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.headings: list[int] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "title"):
            self.skip += 1
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    folder = tmp_path_factory.mktemp("report")
    source = render(report_data("health", TODAY), "html")
    path = folder / "report-health.html"
    path.write_text(source, encoding="utf-8")
    return source, rendered_text(path, folder / "profile")


def test_the_page_renders_and_reads_as_a_report(page: tuple[str, str]) -> None:
    _, dom = page
    parser = Text()
    parser.feed(dom)
    text = " ".join(" ".join(parser.parts).split())
    assert "AI services of Klinikverbund Nord: accountability report" in text
    assert "We check 44 rules." in text
    assert "Radiology report drafting" in text and "Sepsis early warning score" in text
    assert "How to ask or complain" in text and "https://kvnord.example.org/ki/beschwerde" in text
    assert "No recording of what people ask or get back" in text
    assert "Met" in text and "Waiting for first check" in text
    assert parser.headings[0] == 1 and parser.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parser.headings, parser.headings[1:], strict=False))


def test_the_file_is_self_contained_and_accessible(page: tuple[str, str]) -> None:
    source, _ = page
    assert source.startswith("<!DOCTYPE html>") and '<html lang="en">' in source
    assert "<script" not in source.lower()
    assert re.search(r"\bsrc=", source) is None, "the page loads no images or scripts"
    assert re.search(r"<link\b", source) is None, "the page loads no style sheets"
    assert 'scope="col"' in source and "<caption>" in source
