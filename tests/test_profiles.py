import pytest

from brainlib.profiles import PROFILE_ENV, choose_recipe, get_profile


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
