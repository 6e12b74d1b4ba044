"""What a message looks like: texts and buttons built from data, in the reader's language."""
