import keras
import numpy as np
import pytest

from brainlib import models


@pytest.fixture
def bfloat16_policy():
    previous = keras.mixed_precision.dtype_policy()
    keras.mixed_precision.set_dtype_policy("mixed_bfloat16")
    yield
    keras.mixed_precision.set_dtype_policy(previous)


def test_model_outputs_probabilities():
    model = models.build_model(50, 32)
    output = model.predict(np.zeros((2, 32, 32, 3), "float32"), verbose=0)
    assert output.shape == (2, 4)
    assert np.allclose(output.sum(axis=1), 1, atol=1e-5)


def test_model_has_paper_head():
    model = models.build_model(50, 32)
    names = [layer.name for layer in model.layers]
    assert names[-5:] == ["pool", "dropout_1", "dense_128", "dropout_2", "probabilities"]
    assert model.get_layer("dropout_1").rate == 0.2
    assert model.get_layer("dense_128").units == 128


def test_softmax_is_float32_under_bfloat16(bfloat16_policy):
    model = models.build_model(50, 32)
    assert model.get_layer("dense_128").compute_dtype == "bfloat16"
    assert model.get_layer("probabilities").compute_dtype == "float32"
    assert model.output.dtype == "float32"


def test_preprocess_matches_keras_resnet():
    images = np.random.default_rng(0).uniform(0, 255, (2, 8, 8, 3)).astype("float32")
    expected = keras.applications.resnet.preprocess_input(images.copy())
    actual = np.asarray(models.ResNetPreprocess()(images))
    assert np.allclose(actual, expected, atol=1e-4)


def test_frozen_backbone_trains_head_only():
    model = models.build_model(50, 32, freeze_backbone=True)
    trainable = {weight.path.split("/")[0] for weight in model.trainable_weights}
    assert trainable == {"dense_128", "probabilities"}


def test_unknown_depth():
    with pytest.raises(ValueError, match="34"):
        models.build_model(34, 32)


def test_imagenet_unavailable_falls_back(monkeypatch, tmp_path, capsys):
    def offline(depth):
        raise Exception("URL fetch failure")

    monkeypatch.setattr(models, "_download_weights", offline)
    monkeypatch.setattr(models, "keras_cache_dir", lambda: tmp_path)
    assert models.resolve_weights("imagenet", 101) == (None, "none (imagenet unavailable)")
    message = capsys.readouterr().out
    assert "resnet101_weights_tf_dim_ordering_tf_kernels_notop.h5" in message
    assert str(tmp_path) in message


def test_imagenet_weights_found_in_cache(monkeypatch, tmp_path):
    (tmp_path / models.weights_file_name(50)).write_bytes(b"weights")
    monkeypatch.setattr(models, "keras_cache_dir", lambda: tmp_path)
    assert models.resolve_weights("imagenet", 50) == (str(tmp_path / models.weights_file_name(50)), "imagenet")


def test_missing_weights_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.h5"):
        models.resolve_weights(str(tmp_path / "missing.h5"), 50)
