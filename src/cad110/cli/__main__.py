from cad110.cli import app

app()
