"""netplay's JSON Schemas, installed as the package ``engine.schemas`` (see pyproject.toml)."""
