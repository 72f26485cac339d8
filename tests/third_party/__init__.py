"""Third-party code used only by the tests, each with its licence and NOTICE."""
