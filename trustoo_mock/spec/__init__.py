"""openapi.yaml as the contract, and the fixtures format checked against it."""
