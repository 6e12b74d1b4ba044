"""The basics every layer uses: configuration, the clock, dates, languages and logs."""
