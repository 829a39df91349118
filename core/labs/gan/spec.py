"""The GAN lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

GAN_RECIPES = ("cdcgan", "dcgan", "mlp")

SPEC = LabSpec(
    id="gan",
    title="GAN and latent interpolation",
    topic="Generative models",
    icon="🎭",
    order=10,
    summary="Train a GAN on digits live, then walk between two latent points and nudge its dimensions.",
    theory=read_theory(__file__),
    params=(
        Param(
            "recipe",
            "choice",
            "cdcgan",
            "cdcgan (default): a small convolutional GAN told which digit to draw (a class vector "
            "beside z; recognisable digits several times sooner on a CPU); dcgan: the same GAN "
            "without the class; mlp: the course's fully connected GAN (G 100-128-256-512-1024-784, "
            "D 784-512-256-1). For the whole course recipe also set learning rate 0.0002, R1 0 and "
            "weight average 0.",
            choices=GAN_RECIPES,
        ),
        Param.dataset(
            "Handwritten digits, or Fashion-MNIST clothing (no quality score: the judge reads digits)."
        ),
        Param.epochs(15, 200, "Passes over the training set (15: about a minute on a laptop CPU)."),
        Param.batch_size(64, "Real (and generated) images per step.", high=512),
        learning_rate_param(
            2e-3,
            "Adam's step size for both networks, betas (0.5, 0.999). The course used 0.0002.",
        ),
        Param(
            "r1_penalty",
            "float",
            0.3,
            "Weight γ of the R1 penalty, γ/2·E|∇D(x)|² on real digits: it keeps D smooth around "
            "them, which damps the players' see-saw. 0 is the course's plain GAN.",
            label="R1 penalty",
            low=0.0,
            high=10.0,
            step=0.1,
        ),
        Param(
            "average",
            "float",
            0.995,
            "Samples come from a running average of G's weights, each step moving it this "
            "close to where it was (0.995: about the last 200 steps); it irons out the see-saw. "
            "0: samples from G itself, as the course did.",
            label="Weight average (EMA) of G",
            low=0.0,
            high=0.999,
            step=0.001,
        ),
        Param(
            "latent_dim",
            "int",
            100,
            "Size of the random vector z the generator starts from (the course's: 100).",
            label="Latent size",
            low=2,
            high=256,
        ),
        SEED,
    ),
)
