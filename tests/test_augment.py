import numpy as np

from brainlib.augment import balance_indices, build_augmenter


def test_balance_indices_equalises_classes():
    labels = np.array([0] * 10 + [1] * 4 + [2] * 7)
    chosen = balance_indices(labels, seed=0)
    assert np.bincount(labels[chosen]).tolist() == [10, 10, 10]


def test_balance_indices_keeps_every_original():
    labels = np.array([0] * 10 + [1] * 4 + [2] * 7)
    chosen = balance_indices(labels, seed=0)
    assert set(chosen) == set(range(len(labels)))


def test_balance_indices_is_seeded():
    labels = np.array([0] * 9 + [1] * 4)
    assert balance_indices(labels, seed=3).tolist() == balance_indices(labels, seed=3).tolist()


def test_augmenter_changes_training_batches_only():
    batch = np.random.default_rng(0).uniform(0, 255, (4, 32, 32, 3)).astype("float32")
    augmenter = build_augmenter(seed=1)
    assert np.array_equal(np.asarray(augmenter(batch, training=False)), batch)
    augmented = np.asarray(augmenter(batch, training=True))
    assert augmented.shape == batch.shape
    assert not np.allclose(augmented, batch)


def test_augmentation_layers_get_distinct_seeds():
    augmenter = build_augmenter(seed=5)
    seeds = [layer.seed for layer in augmenter.layers]
    assert len(set(seeds)) == len(seeds)


def test_flip_layer_only_when_asked():
    assert [layer.name for layer in build_augmenter(1).layers if "flip" in layer.name] == []
    flipping = build_augmenter(1, horizontal_flip=True)
    flip = flipping.layers[0]
    assert flip.mode == "horizontal"
    image = np.arange(2 * 4 * 4 * 3, dtype="float32").reshape(2, 4, 4, 3)
    mirrored = np.asarray(flip(np.repeat(image[:1], 64, axis=0), training=True))
    assert any(np.array_equal(view, image[0, :, ::-1]) for view in mirrored)
