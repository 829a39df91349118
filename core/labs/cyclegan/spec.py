"""The CycleGAN lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

CYCLEGAN_ARCHITECTURES = ("small", "course")

SPEC = LabSpec(
    id="cyclegan",
    title="CycleGAN: emoji style transfer",
    topic="Generative models",
    icon="🔁",
    order=35,  # after the denoising autoencoder
    summary=(
        "Turn Noto emoji into OpenMoji and back with two generators that never see a matching pair; "
        "a style judge and the round trip's error say how well."
    ),
    theory=read_theory(__file__),
    params=(
        Param(
            "architecture",
            "choice",
            "small",
            "small (default): the course's ResNet generator and PatchGAN, 16 channels wide with 4 "
            "residual blocks (trains in minutes on a CPU); course: the course's size, 64 channels "
            "and 9 blocks (about 30 times the work per picture).",
            choices=CYCLEGAN_ARCHITECTURES,
        ),
        Param.epochs(20, 300, "Passes over the larger style's training emoji (579 or 580)."),
        Param.batch_size(8, "Emoji of each style per step (the course used 1).", low=1, high=64),
        learning_rate_param(
            5e-4, "Adam's step size for all four networks, betas (0.5, 0.999). The course used 0.0002."
        ),
        Param(
            "lambda_cycle",
            "float",
            10.0,
            "Weight of the cycle loss |G_BA(G_AB(a)) - a| + |G_AB(G_BA(b)) - b| against the GAN "
            "loss (the course's: 10). 0 lets the generators forget what the emoji was.",
            label="λ cycle",
            low=0.0,
            high=100.0,
            step=0.5,
        ),
        Param(
            "lambda_identity",
            "float",
            5.0,
            "Weight of the identity loss |G_AB(b) - b| + |G_BA(a) - a|: a generator given a picture "
            "already in its target style should leave it alone, which keeps colours (the course's: "
            "5). 0 saves two of the six generator passes per step.",
            label="λ identity",
            low=0.0,
            high=100.0,
            step=0.5,
        ),
        Param(
            "start_as_identity",
            "bool",
            True,
            "Each generator adds a change to its input picture and starts with no change at all "
            "(the identity); off, as in the course, it draws the whole picture from scratch.",
        ),
        SEED,
    ),
)
