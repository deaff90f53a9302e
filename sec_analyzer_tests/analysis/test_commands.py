"""`sec-analyzer embed` and `classify` as a user runs them: a subprocess of the installed command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

from sec_analyzer.analysis.embedding import model_source
from sec_analyzer.analysis.taxonomy import load_taxonomy
from sec_analyzer.domain import RiskFactor
from sec_analyzer_tests.conftest import REPO_ROOT

COMMAND = str(REPO_ROOT / ".venv" / "bin" / "sec-analyzer")


def _run(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([COMMAND, *arguments], capture_output=True, text=True, timeout=300, check=False)


def _write_lines(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def risk_lines(apple_risks: list[RiskFactor], tmp_path_factory: pytest.TempPathFactory) -> Path:
    records: list[dict[str, object]] = [
        {"id": f"AAPL-2024-{risk.ordinal:03d}", "heading": risk.heading, "text": risk.text}
        for risk in apple_risks[:4]
    ]
    records.append({"id": 7, "heading": "", "text": apple_risks[5].text[:600]})
    return _write_lines(tmp_path_factory.mktemp("cli") / "risks.jsonl", records)


def test_embed_prints_one_vector_line_per_input_line_on_both_paths(
    risk_lines: Path, apple_risks: list[RiskFactor]
) -> None:
    outputs = {}
    for precision in ("fast", "fp32"):
        finished = _run("embed", "--input", str(risk_lines), "--precision", precision)
        assert finished.returncode == 0, finished.stderr
        assert finished.stderr == ""
        outputs[precision] = [json.loads(line) for line in finished.stdout.splitlines()]
    fp32 = outputs["fp32"]
    assert [line["id"] for line in fp32] == [
        *(f"AAPL-2024-{risk.ordinal:03d}" for risk in apple_risks[:4]),
        7,
    ]
    for line in fp32:
        assert set(line) == {"id", "model", "path", "dim", "vector"}
        assert line["model"] == "sentence-transformers/all-MiniLM-L6-v2" and line["path"] == "torch-fp32"
        assert line["dim"] == len(line["vector"]) == 384
    fast = np.array([line["vector"] for line in outputs["fast"]])
    baseline = np.array([line["vector"] for line in fp32])
    assert (fast * baseline).sum(axis=1).min() >= 0.999

    from sentence_transformers import SentenceTransformer

    reference = SentenceTransformer(str(model_source().directory), device="cpu").encode(
        [apple_risks[5].text[:600]], normalize_embeddings=True
    )[0]
    assert float(baseline[-1] @ reference) >= 0.9999, (
        "empty heading + one window = sentence-transformers' vector"
    )


def test_classify_prints_the_documented_shape(risk_lines: Path) -> None:
    finished = _run("classify", "--input", str(risk_lines), "--format", "json")
    assert finished.returncode == 0, finished.stderr
    lines = [json.loads(line) for line in finished.stdout.splitlines()]
    assert len(lines) == 5
    taxonomy_ids = set(load_taxonomy().ids)
    for line in lines:
        assert set(line) == {"id", "primary", "labels", "model"}
        assert set(line["model"]) == {"name", "version"} and line["model"]["name"] == "prototype-zero-shot"
        assert line["primary"] == line["labels"][0]["category"] and line["primary"] in taxonomy_ids
        assert 1 <= len(line["labels"]) <= 3
        assert all(
            set(label) == {"category", "score"} and 0 <= label["score"] <= 1 for label in line["labels"]
        )


@pytest.mark.parametrize(
    ("second_line", "message"),
    [
        ('{"id": "b", "heading": "x", "text": ', "line 2: malformed JSON"),
        ('{"id": "b", "text": "y"}', "line 2: missing field(s) heading"),
        ('["b", "x", "y"]', "line 2: expected a JSON object"),
        ('{"id": "b", "heading": "x", "text": 3}', "line 2: text must be a string"),
    ],
)
def test_a_bad_line_is_a_one_line_error_naming_it(tmp_path: Path, second_line: str, message: str) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text("\n" + second_line + "\n", encoding="utf-8")
    finished = _run("embed", "--input", str(path))
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"error: {path} {message}")
    assert len(finished.stderr.strip().splitlines()) == 1 and finished.stdout == ""


def test_classify_names_the_bad_line_after_writing_the_good_ones(tmp_path: Path) -> None:
    path = tmp_path / "input.jsonl"
    path.write_text(
        '{"id": 1, "heading": "", "text": "Tax laws may change."}\n\n{"id": 2}\n', encoding="utf-8"
    )
    finished = _run("classify", "--input", str(path))
    assert finished.returncode == 1
    assert finished.stderr.startswith(f"error: {path} line 3: missing field(s) heading, text")
    assert len(finished.stdout.splitlines()) == 1
