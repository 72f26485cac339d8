"""Anti-fraud early warning (反诈预警): warnings that climb a ladder until someone is reached."""
