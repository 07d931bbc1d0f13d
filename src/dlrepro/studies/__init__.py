"""One package per reproduced post. See STUDIES in dlrepro.cli for the registry."""
