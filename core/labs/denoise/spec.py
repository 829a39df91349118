"""The denoising lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

DENOISE_ARCHITECTURES = ("skip-ae", "course")

SPEC = LabSpec(
    id="denoise",
    title="Denoising autoencoder",
    topic="Generative models",
    icon="🧽",
    order=30,
    summary="Add noise to a digit and watch a conv autoencoder remove it, measured in dB.",
    theory=read_theory(__file__),
    params=(
        Param(
            "architecture",
            "choice",
            "skip-ae",
            "skip-ae: 32/64-channel conv autoencoder with a skip connection (default); "
            "course: the course's 1-16-8 conv autoencoder.",
            choices=DENOISE_ARCHITECTURES,
        ),
        Param.dataset(),
        Param(
            "noise",
            "choice",
            "gaussian",
            "The corruption to learn to remove; mixed gives each image one of the three at random.",
            choices=("gaussian", "salt-pepper", "mask", "mixed"),
        ),
        Param(
            "noise_level",
            "float",
            0.5,
            "Gaussian: the standard deviation; salt and pepper, masking: the share of pixels hit.",
            low=0.05,
            high=1.0,
            step=0.05,
        ),
        Param(
            "random_level",
            "bool",
            False,
            "Draw each training image's level at random between 0 and the level above, so the "
            "model also learns to leave lightly corrupted digits alone.",
        ),
        Param.epochs(5, 50),
        Param.batch_size(128),
        learning_rate_param(1e-2, "Peak step size of Adam (the course used 0.001, constant)."),
        Param.one_cycle(" (the course)"),
        Param(
            "dark_start",
            "bool",
            True,
            "Start the output layer dark (bias -2) instead of 50% grey; off, as in the course, the "
            "model can sit for hundreds of steps outputting a blank image.",
        ),
        SEED,
    ),
)
