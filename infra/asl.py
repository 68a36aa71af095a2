"""How ASL files in statemachines/ name the resources they use, as plain data (no CDK): the CDK app and the
local runtime resolve the same placeholders from the same catalog names.

A placeholder is `${<Name><Kind>}`: <Name> is a catalog name in PascalCase ("route-item" → RouteItem, a table's
base name, "data"/"exports" for buckets) and <Kind> one of KINDS, e.g. `${ConsensusFunctionArn}`,
`${TasksQueueUrl}`, `${ItemsTableName}`."""

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATEMACHINES_DIR = ROOT / "statemachines"
PLACEHOLDER = re.compile(r"\$\{([A-Za-z0-9]+)\}")
# suffix → (what it names, which attribute of it)
KINDS = {
    "FunctionArn": ("function", "arn"),
    "QueueUrl": ("queue", "url"),
    "QueueArn": ("queue", "arn"),
    "TableName": ("table", "name"),
    "TableArn": ("table", "arn"),
    "BucketName": ("bucket", "name"),
}


def pascal(name: str) -> str:
    """ "seen-requests" → "SeenRequests"."""
    return "".join(part[:1].upper() + part[1:] for part in name.replace("_", "-").split("-"))


@dataclass(frozen=True)
class Placeholder:
    text: str  # without ${ }
    kind: str  # function | queue | table | bucket
    attribute: str  # arn | url | name
    pascal_name: str

    def target(self, names: list[str]) -> str:
        """The catalog name this placeholder means, among `names` of its kind."""
        for name in names:
            if pascal(name) == self.pascal_name:
                return name
        raise ValueError(f"ASL placeholder ${{{self.text}}}: no {self.kind} named {self.pascal_name!r} in the catalog")


def parse(text: str) -> Placeholder:
    for suffix, (kind, attribute) in KINDS.items():
        name = text.removesuffix(suffix)
        if name and name != text:
            return Placeholder(text, kind, attribute, name)
    raise ValueError(f"ASL placeholder ${{{text}}}: expected <Name>{'|'.join(KINDS)}")


def placeholders(asl: str) -> list[Placeholder]:
    return [parse(text) for text in sorted(set(PLACEHOLDER.findall(asl)))]


def definition_path(spec) -> Path:
    """A state machine spec's ASL file: its `definition` (a path under the repo or statemachines/, or absolute),
    else statemachines/<name>.asl.json."""
    given = getattr(spec, "definition", None) or f"{spec.name}.asl.json"
    for candidate in (ROOT / given, STATEMACHINES_DIR / given):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"state machine {spec.name}: no ASL file {given!r} in {ROOT} or {STATEMACHINES_DIR}")
