from pathlib import Path

import pytest

from service.config import ConfigError, settings_from_env


def test_defaults_and_overrides():
    settings = settings_from_env({})
    assert settings.retrieval_mode == "hybrid" and settings.top_k == 5
    assert settings.corpus_dir.name == "corpus"
    custom = settings_from_env(
        {
            "RAG_INDEX_DIR": "/x/idx",
            "RAG_TOP_K": "9",
            "RAG_MODEL": "/m",
            "RAG_CORS_ORIGINS": "http://a, http://b",
        }
    )
    assert custom.index_dir == Path("/x/idx") and custom.top_k == 9
    assert custom.model_dir == Path("/m") and custom.cors_origins == ("http://a", "http://b")
    assert custom.with_overrides(top_k=3, index_dir=None).index_dir == Path("/x/idx")
    assert settings.max_body_bytes == 65536 and settings.reload_interval == 0.5
    hardened = settings_from_env(
        {
            "RAG_MAX_BODY_BYTES": "4096",
            "RAG_RELOAD_INTERVAL": "2.5",
            "RAG_ADMIN_KEY": "a",
            "RAG_API_KEY": "",
        }
    )
    assert hardened.max_body_bytes == 4096 and hardened.reload_interval == 2.5
    assert hardened.admin_key == "a" and hardened.api_key is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"RAG_TOP_K": "many"}, "RAG_TOP_K must be an integer"),
        ({"RAG_TOP_K": "0"}, "between 1 and 50"),
        (
            {"RAG_RETRIEVAL_MODE": "magic"},
            "RAG_RETRIEVAL_MODE: unknown retrieval mode .magic.; choose one of dense, bm25, hybrid",
        ),
        ({"RAG_CHUNK_SIZE": "100", "RAG_CHUNK_OVERLAP": "200"}, "must be smaller"),
        ({"RAG_MAX_BODY_BYTES": "10"}, "RAG_MAX_BODY_BYTES must be between"),
        ({"RAG_RELOAD_INTERVAL": "soon"}, "RAG_RELOAD_INTERVAL must be a number"),
        ({"RAG_RELOAD_INTERVAL": "-1"}, "RAG_RELOAD_INTERVAL must be between"),
        ({"RAG_RELOAD_INTERVAL": "nan"}, "RAG_RELOAD_INTERVAL must be between"),
        ({"RAG_EMBED_BACKEND": "tpu"}, "RAG_EMBED_BACKEND must be one of auto, onnx, torch"),
        ({"RAG_EMBED_PRECISION": "fp16"}, "RAG_EMBED_PRECISION must be one of fp32, int8"),
        (
            {"RAG_EMBED_BACKEND": "torch", "RAG_EMBED_PRECISION": "int8"},
            "RAG_EMBED_PRECISION=int8 needs the ONNX backend",
        ),
        ({"RAG_EMBED_THREADS": "all"}, "RAG_EMBED_THREADS must be an integer"),
        ({"RAG_EMBED_THREADS": "-1"}, "RAG_EMBED_THREADS must be between 0"),
    ],
)
def test_bad_environment(env, message):
    with pytest.raises(ConfigError, match=message):
        settings_from_env(env)


def test_embedding_backend_settings():
    assert (settings_from_env({}).embed_backend, settings_from_env({}).embed_precision) == (
        "auto",
        "fp32",
    )
    chosen = settings_from_env(
        {"RAG_EMBED_BACKEND": "onnx", "RAG_EMBED_PRECISION": "int8", "RAG_EMBED_THREADS": "2"}
    )
    assert (chosen.embed_backend, chosen.embed_precision, chosen.embed_threads) == (
        "onnx",
        "int8",
        2,
    )
