"""The errors that are the student's input, not a bug: every front shows them as a message (the
CLI as one line and exit code 2, the API as a clear error), never as a traceback. A lab's own
input errors subclass SpecError, so they are among them."""

from core.checkpoints import CheckpointError
from core.data import DataUnavailableError
from core.imaging import ImageInputError
from core.models import ModelChoiceError
from core.registry import LabSelectionError, UnknownLabError
from core.runner import BusyError
from core.specs import SpecError
from core.tokens import TextInputError

USER_ERRORS = (
    SpecError,
    ImageInputError,
    TextInputError,
    CheckpointError,
    DataUnavailableError,
    ModelChoiceError,
    BusyError,
    UnknownLabError,
    LabSelectionError,
)
