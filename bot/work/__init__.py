"""Work that runs by itself: jobs, reminders, deliveries, the weekly overview, retention."""
