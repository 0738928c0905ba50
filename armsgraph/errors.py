"""The exception hierarchy. Every error names the input and says what to do.

    ArmsgraphError
    ├── InputError            one input could not be read (the batch goes on)
    │   ├── UnreadableInput   missing file, binary, undecodable, too large, empty
    │   └── MalformedInput    a JSONL line or HTML page that cannot be parsed
    ├── KnowledgeBaseError    a knowledge file is missing or inconsistent
    ├── StoreError            the database cannot be opened or is from a newer version
    └── GoldFileError         a gold file for `armsgraph eval` cannot be read
"""

from __future__ import annotations


class ArmsgraphError(Exception):
    """Base class: the message is meant for the user and ends with what to do."""


class InputError(ArmsgraphError):
    def __init__(self, source: str, reason: str, hint: str = "") -> None:
        self.source = source
        self.reason = reason
        self.hint = hint
        super().__init__(f"{source}: {reason}" + (f" ({hint})" if hint else ""))


class UnreadableInput(InputError):
    pass


class MalformedInput(InputError):
    pass


class KnowledgeBaseError(ArmsgraphError):
    pass


class StoreError(ArmsgraphError):
    pass


class GoldFileError(ArmsgraphError):
    pass
