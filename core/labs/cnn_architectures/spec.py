"""The cnn-architectures lab's spec: its place in the catalogue and its settings (torch-free)."""

from core.specs import SEED, LabSpec, Param, learning_rate_param, read_theory

ARCHITECTURES = ("simple", "vgg", "resnet", "efficientnet")
MODEL_NAMES = {
    "simple": "Simple CNN",
    "vgg": "Small VGG",
    "resnet": "Small ResNet",
    "efficientnet": "EfficientNet-Lite0 (pretrained)",
}

SPEC = LabSpec(
    id="cnn-architectures",
    title="VGG and ResNet against a simple CNN",
    topic="Vision",
    icon="🏛️",
    order=141,  # after inside-cnn
    summary="A simple CNN, a small VGG and a small ResNet (and a pretrained EfficientNet-Lite0, "
    "fine-tuned) trained on Fashion-MNIST for the same number of seconds each; what skip "
    "connections do to the gradients of a deep network.",
    theory=read_theory(__file__),
    params=(
        Param(
            "models",
            "multichoice",
            ARCHITECTURES,
            "Which networks to train, each for the same seconds: simple (the course's simple CNN), "
            "vgg (stacked 3x3 convolutions), resnet (residual blocks), efficientnet (ImageNet "
            "weights, only its last block and head trained).",
            choices=ARCHITECTURES,
        ),
        Param(
            "seconds",
            "int",
            40,
            "Training seconds each network gets (its own steps only: the networks take turns, "
            "the one that has used the least time steps next).",
            label="Seconds per network",
            low=2,
            high=1800,
        ),
        Param(
            "width",
            "int",
            16,
            "Channels of the first stage of the simple CNN, VGG and ResNet (doubled at each of the "
            "three stages).",
            low=4,
            high=64,
        ),
        Param(
            "train_images",
            "int",
            10_000,
            "Fashion-MNIST training pictures used (of 60,000): a subset keeps an epoch short on a "
            "classroom CPU.",
            label="Training pictures",
            low=500,
            high=60_000,
            step=500,
        ),
        Param(
            "pretrained_images",
            "int",
            1_000,
            "Training pictures the pretrained network fine-tunes on (the first of the subset, "
            "upscaled to 96x96: each costs far more than a 28x28 one).",
            label="Pretrained: training pictures",
            low=100,
            high=10_000,
            step=100,
        ),
        Param(
            "test_images",
            "int",
            2_000,
            "Fashion-MNIST test pictures every network is scored on (the first of the 10,000).",
            label="Test pictures",
            low=200,
            high=10_000,
            step=200,
        ),
        Param.batch_size(64, "Pictures per optimisation step (the course used 128).", low=8),
        learning_rate_param(
            1e-3, "Step size of Adam, the same for every network (the course used SGD, 0.001)."
        ),
        Param(
            "deep_layers",
            "int",
            30,
            "Skip-connection experiment: convolution layers of the deep net trained with and "
            "without skips (0: skip the experiment).",
            label="Deep net: layers",
            low=0,
            high=60,
        ),
        Param(
            "deep_seeds",
            "int",
            3,
            "Skip-connection experiment: seeds each deep net is trained from (one run could mislead).",
            label="Deep net: seeds",
            low=1,
            high=5,
        ),
        Param(
            "deep_steps",
            "int",
            120,
            "Skip-connection experiment: SGD steps each deep net takes.",
            label="Deep net: steps",
            low=10,
            high=2000,
        ),
        SEED,
    ),
)
