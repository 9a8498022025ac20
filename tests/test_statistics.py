import keras
import numpy as np
import pandas as pd
import pytest

from brainlib import CLASS_NAMES, explain, metrics, stats
from brainlib.models import load_model
from brainlib.predict import predict


def test_per_class_metrics_hand_computed():
    frame = metrics.per_class_metrics([0, 0, 1, 2], [0, 1, 1, 1], ["a", "b", "c"])
    assert frame.loc["a", "sensitivity (recall)"] == pytest.approx(0.5)
    assert frame.loc["a", "specificity"] == pytest.approx(1.0)
    assert frame.loc["b", "specificity"] == pytest.approx(1 / 3)  # 3 negatives, 2 predicted b
    assert frame.loc["b", "precision"] == pytest.approx(1 / 3)
    assert frame.loc["macro average", "precision"] == pytest.approx(0.444, abs=1e-3)
    assert frame.loc["weighted average", "precision"] == pytest.approx(0.583, abs=1e-3)
    assert frame.loc["macro average", "support"] == 4


def test_roc_auc_perfect_and_reversed():
    y_true = np.array([0, 0, 1, 1])
    probabilities = np.array([[0.9, 0.1], [0.8, 0.2], [0.3, 0.7], [0.1, 0.9]])
    _, areas = metrics.roc_curves(y_true, probabilities, ["a", "b"])
    assert areas["a"] == pytest.approx(1.0)
    assert areas["macro"] == pytest.approx(1.0)
    _, reversed_areas = metrics.roc_curves(1 - y_true, probabilities, ["a", "b"])
    assert reversed_areas["b"] == pytest.approx(0.0)


def test_calibration_error_known_value():
    # Two images at confidence 0.8 (one right) and two at 0.6 (both right):
    # ECE = 2/4 * |0.5 - 0.8| + 2/4 * |1.0 - 0.6| = 0.35.
    probabilities = np.array([[0.8, 0.2], [0.8, 0.2], [0.6, 0.4], [0.4, 0.6]])
    error, table = metrics.calibration([0, 1, 0, 1], probabilities, bins=10)
    assert error == pytest.approx(0.35)
    assert table["count"].sum() == 4


def test_most_confused_orders_by_count():
    frame = metrics.most_confused([0, 0, 0, 1, 1, 2], [1, 1, 0, 0, 1, 0], ["a", "b", "c"])
    assert frame.iloc[0][["true", "predicted", "count"]].tolist() == ["a", "b", 2]
    assert len(frame) == 3


def test_per_image_loss():
    loss = metrics.per_image_loss([1, 0], np.array([[0.5, 0.5], [1.0, 0.0]]))
    assert loss == pytest.approx([np.log(2), 0.0])


def test_mcnemar_known_p_value():
    # 10 discordant pairs split 9 to 1: exact two-sided p = 2 * P(X <= 1 | n=10, 0.5) = 22 / 1024.
    correct_a = np.array([True] * 9 + [False] + [True] * 5)
    correct_b = np.array([False] * 9 + [True] + [True] * 5)
    result = stats.mcnemar_exact(correct_a, correct_b)
    assert result["p_value"] == pytest.approx(22 / 1024)
    assert result["table"].loc["A right", "B wrong"] == 9
    assert result["table"].loc["A wrong", "B right"] == 1
    assert result["table"].loc["A right", "B right"] == 5


def test_mcnemar_identical_models():
    assert stats.mcnemar_exact([True, False], [True, False])["p_value"] == 1.0


def test_bootstrap_contains_estimate_and_narrows():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 400)
    y_pred = np.where(rng.random(400) < 0.8, y_true, rng.integers(0, 4, 400))
    small = stats.bootstrap_ci(y_true[:100], y_pred[:100], resamples=500, seed=1)
    large = stats.bootstrap_ci(y_true, y_pred, resamples=500, seed=1)
    assert small["low"] <= small["estimate"] <= small["high"]
    assert large["low"] <= large["estimate"] <= large["high"]
    assert (large["high"] - large["low"]) < (small["high"] - small["low"])
    assert stats.bootstrap_ci(y_true, y_pred, "macro F1", resamples=200, seed=1) == stats.bootstrap_ci(y_true, y_pred, "macro F1", resamples=200, seed=1)


def planted_feature_model():
    """A tiny CNN whose one filter fires on bright pixels, and whose class 1 logit grows with it."""
    inputs = keras.Input((16, 16, 3))
    features = keras.layers.Conv2D(1, 3, padding="same", activation="relu", name="features")(inputs)
    pooled = keras.layers.GlobalAveragePooling2D()(features)
    outputs = keras.layers.Dense(2, activation="softmax", name="probabilities")(pooled)
    model = keras.Model(inputs, outputs)
    model.get_layer("features").set_weights([np.full((3, 3, 3, 1), 1 / 27, "float32"), np.array([-0.5], "float32")])
    model.get_layer("probabilities").set_weights([np.array([[-5.0, 5.0]], "float32"), np.zeros(2, "float32")])
    return model


def test_grad_cam_peaks_on_planted_feature():
    image = np.zeros((1, 16, 16, 3), "float32")
    image[0, 10:14, 2:6] = 1.0
    cam = explain.grad_cam(planted_feature_model(), image, class_indices=[1], feature_layer="features")
    assert cam.shape == (1, 16, 16)
    assert cam.min() >= 0
    assert cam.max() == pytest.approx(1.0)
    row, column = np.unravel_index(cam[0].argmax(), cam[0].shape)
    assert 9 <= row <= 14
    assert 1 <= column <= 6
    assert cam[0, 0:4, 10:16].max() < 0.1


def test_grad_cam_on_resnet_run(smoke_run):
    model = load_model(smoke_run / "model.keras")
    cams = explain.grad_cam(model, np.random.default_rng(0).uniform(0, 255, (2, 32, 32, 3)))
    assert cams.shape == (2, 32, 32)
    assert cams.min() >= 0


def test_predict_agrees_with_evaluation(smoke_run, tmp_path):
    predictions = pd.read_csv(smoke_run / "predictions.csv")
    files = predictions["file"].head(4)
    folder = tmp_path / "new images"
    folder.mkdir()
    links = [folder / f"{index} {file.split('/')[-1]}" for index, file in enumerate(files)]
    for link, file in zip(links, files):
        link.symlink_to(file)
    result = predict(folder, smoke_run, cam_dir=tmp_path / "cams").set_index("file")
    for link, expected in zip(links, predictions["predicted"].head(4)):
        assert result.loc[str(link), "predicted"] == CLASS_NAMES[expected]
    assert len(list((tmp_path / "cams").glob("*_cam.png"))) == 4


def test_predict_incomplete_run(tmp_path):
    with pytest.raises(FileNotFoundError, match="incomplete"):
        predict(tmp_path, tmp_path)
