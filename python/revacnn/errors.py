"""The one error every rejected steering command raises."""


class SteeringError(ValueError):
    """A command that cannot be applied; the model and the optimiser were left exactly as they were.

    The message is one line in the built-in engine's style: "cannot <what>: <why>".
    """
