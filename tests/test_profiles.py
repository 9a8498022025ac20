import pytest

from brainlib.profiles import PROFILE_ENV, RECIPES, choose_recipe, get_profile, sizes_for_recipe


def test_profile_from_environment(monkeypatch):
    monkeypatch.setenv(PROFILE_ENV, "paper")
    assert get_profile().image_size == 256
    assert get_profile("cpu").image_size == 128


def test_unknown_profile_names_choices():
    with pytest.raises(ValueError, match="paper, cpu, smoke"):
        get_profile("laptop")


def test_recipe_follows_weights():
    assert choose_recipe("imagenet").name == "paper"
    assert choose_recipe("none").name == "scratch"
    assert choose_recipe("none (imagenet unavailable)").name == "scratch"
    assert choose_recipe("none", requested="paper").name == "paper"


def test_unknown_recipe():
    with pytest.raises(ValueError, match="scratch"):
        choose_recipe("imagenet", requested="fast")


def test_cpu_scratch_sizes():
    cpu = get_profile("cpu")
    assert sizes_for_recipe(cpu, RECIPES["paper"]) == (128, 10)
    assert sizes_for_recipe(cpu, RECIPES["scratch"]) == (96, 30)


def test_scratch_sizes_default_to_profile():
    smoke = get_profile("smoke")
    assert sizes_for_recipe(smoke, RECIPES["scratch"]) == (smoke.image_size, smoke.epochs)
    assert sizes_for_recipe(get_profile("paper"), RECIPES["scratch"]) == (256, 30)


def test_profile_split_modes():
    assert get_profile("cpu").split == "grouped"
    assert get_profile("smoke").split == "grouped"
    assert get_profile("paper").split == "naive"
