import keras
import numpy as np
import pytest

from brainlib import features
from brainlib.augment import build_augmenter
from brainlib.models import build_model
from brainlib.pipeline import make_dataset


def _frozen_model():
    keras.utils.set_random_seed(3)
    return build_model(50, 32, freeze_backbone=True, num_classes=4)


@pytest.fixture(scope="module")
def tiny_images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 255, (24, 32, 32, 3), dtype=np.uint8), np.arange(24) % 4


def test_cached_head_matches_frozen_model(tiny_images):
    images, labels = tiny_images
    uncached = _frozen_model()
    untrained = uncached.predict(images.astype("float32"), verbose=0)
    uncached.compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy")
    uncached.fit(make_dataset(images, labels, 4, 8), epochs=3, shuffle=False, verbose=0)

    cached = _frozen_model()
    prepared = features.cache_head_training(cached, images, labels, images[:8], labels[:8], 4, 8)
    prepared["head"].compile(optimizer=keras.optimizers.Adam(1e-2), loss="categorical_crossentropy")
    prepared["head"].fit(prepared["train"], epochs=3, shuffle=False, verbose=0)

    expected = uncached.predict(images.astype("float32"), verbose=0)
    np.testing.assert_allclose(cached.predict(images.astype("float32"), verbose=0), expected, atol=1e-4)
    assert np.abs(expected - untrained).max() > 1e-2  # the head did learn something


def test_augmented_views_keep_image_order(tiny_images):
    images, _ = tiny_images
    extractor = features.feature_extractor(_frozen_model())
    plain = features.compute_features(extractor, images, 8)
    views = features.compute_features(extractor, images, 8, augmenter=build_augmenter(1), views=3)
    assert plain.shape == (1, 24, 2048)
    assert views.shape == (3, 24, 2048)
    assert not np.allclose(views[0], views[1])
    np.testing.assert_allclose(plain[0], extractor.predict(images.astype("float32"), verbose=0), atol=1e-5)


def test_feature_dataset_draws_each_image_once():
    cached = np.stack([np.full((6, 2), view, dtype=np.float32) + np.arange(6)[:, None] * 10 for view in range(3)])
    dataset = features.feature_dataset(cached, np.arange(6) % 4, 4, batch_size=6, shuffle_seed=0)
    for batch, _ in dataset.take(2):
        values = batch.numpy()[:, 0]
        assert sorted((values // 10).astype(int)) == list(range(6))  # every image, once
        assert set((values % 10).astype(int)) <= {0, 1, 2}  # each in one of the three views


def test_frozen_run_uses_cached_features(tmp_path):
    from brainlib import runs
    from brainlib.synthetic import make_synthetic
    from brainlib.training import TrainConfig, train

    data_dir = make_synthetic(tmp_path / "data", images_per_class=8, size=32)
    run_dir = train(
        TrainConfig(data_dir=str(data_dir), results_dir=str(tmp_path / "results"), cache_dir=str(tmp_path / "cache"),
                    weights="none", freeze_backbone=True, feature_views=2, epochs=2, split="naive")
    )
    record = runs.read_json(run_dir / "record.json")
    assert record["status"] == "complete"
    assert record["freeze_backbone"] is True
    assert record["feature_cache"]["views"] == 2
    stored = runs.read_json(run_dir / "metrics.json")
    assert stored["training_time_s"] == pytest.approx(runs.load_run(run_dir)["history"]["seconds"].sum() + stored["feature_cache_s"])
