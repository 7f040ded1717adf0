"""Write the Agents Playground's configuration with one of its mock people as the current user.

The Playground shows one person at a time (its "currentUser"); the others are only tenant members.
    python scripts/playground_config.py megan data-playground/megan.yml
makes Megan Bowen the current user, with a 1:1 chat of her own, so each person keeps their own chat.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

BASE_CONFIG = Path(__file__).resolve().parents[1] / "playground" / "m365agentsplayground.yml"
# The Playground refuses a configuration with more people beside the current user.
MAX_OTHER_USERS = 5


def config_for(person: str, base: dict) -> dict:
    """The base configuration with `person` (a given name, any case) as the current user; of the others,
    the first MAX_OTHER_USERS in the file's order stay in the tenant."""
    people = [base["currentUser"], *base["users"]]
    chosen = next((p for p in people if p["givenName"].lower() == person.strip().lower()), None)
    if chosen is None:
        names = ", ".join(p["givenName"].lower() for p in people)
        raise ValueError(f"Onbekende persoon '{person}'. Kies uit: {names}.")
    return {
        **base,
        "currentUser": chosen,
        "users": [p for p in people if p is not chosen][:MAX_OTHER_USERS],
        "personalChat": {"id": f"personal-chat-{chosen['givenName'].lower()}"},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("person", help="given name of a mock person, e.g. alex, megan, adele")
    parser.add_argument("out", type=Path)
    args = parser.parse_args()
    try:
        config = config_for(args.person, yaml.safe_load(BASE_CONFIG.read_text(encoding="utf-8")))
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    print(f"Playground als {config['currentUser']['name']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
