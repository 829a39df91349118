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
            "small (default): the course's ResNet generator and PatchGAN, 8 channels wide (16 and 32 "
            "after each halving) with 3 residual blocks, so a CPU takes thousands of steps in minutes; "
            "course: the course's size, 64 channels and 9 blocks (about 100 times the work per picture).",
            choices=CYCLEGAN_ARCHITECTURES,
        ),
        Param.epochs(
            20,
            300,
            "Passes over the larger style's 580 training emoji (20: about 10 minutes on two CPU cores).",
        ),
        Param.batch_size(4, "Emoji of each style per step (the course used 1).", low=1, high=64),
        learning_rate_param(
            1e-3, "Adam's step size for the generators, betas (0.5, 0.999). The course used 0.0002."
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
            0.0,
            "Weight of the identity loss |G_AB(b) - b| + |G_BA(a) - a|: a generator given a picture "
            "already in its target style should leave it alone, which keeps colours (the course's: "
            "5). 0, the default, saves two of the six generator passes per step, a third of the time.",
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
        Param(
            "d_lr_factor",
            "float",
            0.25,
            "The discriminators' learning rate as a share of the generators' (the course: 1, the "
            "same). Below 1 they learn more slowly, so they stay beatable while the generators learn.",
            label="D's learning rate / G's",
            low=0.01,
            high=4.0,
            step=0.05,
        ),
        SEED,
    ),
)
