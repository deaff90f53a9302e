from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sec_analyzer.analysis.embedding import (
    DIMENSION,
    OPENVINO_BF16,
    TORCH_FP32,
    WINDOW_CONTENT_TOKENS,
    WINDOW_OVERLAP,
    Embedder,
    EmbeddingError,
    compose,
    cpu_has_native_bf16,
    get_embedder,
    model_source,
    window_spans,
)
from sec_analyzer.domain import RiskFactor


def test_a_text_that_fits_is_one_window() -> None:
    assert window_spans(0) == [(0, 0)]
    assert window_spans(WINDOW_CONTENT_TOKENS) == [(0, WINDOW_CONTENT_TOKENS)]


@pytest.mark.parametrize("token_count", [WINDOW_CONTENT_TOKENS + 1, 300, 444, 445, 1000, 5003])
def test_long_texts_are_covered_by_full_windows_that_overlap(token_count: int) -> None:
    spans = window_spans(token_count)
    step = WINDOW_CONTENT_TOKENS - WINDOW_OVERLAP
    assert len(spans) == math.ceil((token_count - WINDOW_OVERLAP) / step)
    assert spans[0][0] == 0 and spans[-1][1] == token_count
    assert all(end - start == WINDOW_CONTENT_TOKENS for start, end in spans)
    assert all(before[1] - after[0] >= WINDOW_OVERLAP for before, after in itertools.pairwise(spans))


def test_the_heading_leads_the_text_and_an_empty_heading_leaves_the_text_alone() -> None:
    assert compose("Competition", "We compete.") == "Competition\n\nWe compete."
    assert compose("  ", " We compete.") == " We compete."


def test_native_bf16_is_read_from_the_cpu_flags() -> None:
    assert cpu_has_native_bf16("processor\t: 0\nflags\t\t: fpu sse avx512f avx512_bf16\n")
    assert cpu_has_native_bf16("flags\t\t: fpu amx_bf16 amx_tile\n")
    assert not cpu_has_native_bf16("flags\t\t: fpu sse avx2 avx512f\n")
    assert not cpu_has_native_bf16("")


def test_windows_of_a_long_risk_are_pooled_into_one_unit_vector() -> None:
    """With a stand-in network, the pooled vector is the normalised mean of the window vectors."""
    seen: list[np.ndarray] = []

    def window_vector(ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        seen.extend(row[: int(length)] for row, length in zip(ids, mask.sum(axis=1), strict=True))
        vectors = np.zeros((len(ids), DIMENSION), dtype=np.float32)
        vectors[:, 0] = 1.0
        vectors[np.arange(len(ids)), 1 + np.arange(len(ids)) % 2] = 1.0
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_source().directory / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    embedder = Embedder(window_vector, tokenizer, "stand-in", "test")
    long_body = " ".join(f"risk number {index} may harm us." for index in range(200))
    vectors = embedder.embed([("A heading", long_body), ("", "short")])

    token_count = len(tokenizer.encode(compose("A heading", long_body), add_special_tokens=False).ids)
    long_windows = [window for window in seen if len(window) == WINDOW_CONTENT_TOKENS + 2]
    assert len(long_windows) == len(window_spans(token_count)) >= 3
    assert all(
        window[0] == tokenizer.token_to_id("[CLS]") and window[-1] == tokenizer.token_to_id("[SEP]")
        for window in seen
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert vectors[0, 0] > vectors[0, 1] > 0 and vectors[0, 2] > 0  # both window kinds were averaged in


def test_fp32_gives_sentence_transformers_own_vector_for_a_text_that_fits_one_window(
    apple_risks: list[RiskFactor], fp32_embedder: Embedder
) -> None:
    from sentence_transformers import SentenceTransformer

    texts = [risk.text[:700] for risk in apple_risks[:6]] + ["Our stock price may be volatile."]
    reference = SentenceTransformer(str(model_source().directory), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    ours = fp32_embedder.embed([("", text) for text in texts])
    assert fp32_embedder.path == TORCH_FP32
    assert (ours * reference).sum(axis=1).min() >= 0.9999


def test_fast_path_matches_fp32_on_real_risks_and_reports_the_path_it_used(
    apple_risks: list[RiskFactor], fast_embedder: Embedder, fp32_embedder: Embedder
) -> None:
    risks = [(risk.heading, risk.text) for risk in sorted(apple_risks, key=lambda risk: -len(risk.text))[:4]]
    risks += [(risk.heading, risk.text) for risk in apple_risks[:4]]
    fast, baseline = fast_embedder.embed(risks), fp32_embedder.embed(risks)
    assert fast.shape == baseline.shape == (len(risks), DIMENSION)
    assert fast.dtype == np.float32 and not np.isnan(fast).any()
    assert np.allclose(np.linalg.norm(fast, axis=1), 1.0, atol=1e-5)
    assert (fast * baseline).sum(axis=1).min() >= 0.999
    assert fast_embedder.path == (OPENVINO_BF16 if cpu_has_native_bf16() else TORCH_FP32)
    assert fast_embedder.version == fp32_embedder.version == model_source().version
    assert get_embedder("fast") is fast_embedder, "the model is loaded once per process"


def test_a_risk_vector_does_not_depend_on_its_batch(
    fp32_embedder: Embedder, apple_risks: list[RiskFactor]
) -> None:
    risks = [(risk.heading, risk.text) for risk in apple_risks[:5]]
    together = fp32_embedder.embed(risks)
    alone = fp32_embedder.embed(risks[2:3])
    assert float(together[2] @ alone[0]) >= 0.99999
    assert fp32_embedder.embed([]).shape == (0, DIMENSION)


def test_an_unknown_precision_is_refused() -> None:
    with pytest.raises(EmbeddingError, match="unknown precision 'int4'"):
        get_embedder("int4")  # type: ignore[arg-type]
