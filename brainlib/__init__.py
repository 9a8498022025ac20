"""brainlib: how ResNet depth (50, 101, 152) affects brain-tumour classification on MRI slices.

Importing the package has no side effects: no seeds, no plotting settings, no downloads.
"""

__version__ = "0.1.0"

CLASS_NAMES = ("glioma_tumor", "meningioma_tumor", "normal", "pituitary_tumor")
DEPTHS = (50, 101, 152)
