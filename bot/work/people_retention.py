"""Retention for what lies beyond the chat: people signed up on their behalf, hosts, outbox.

Part of the daily retention run (bot/work/retention.py), so that every table issue #16
added has a rule, enforced here:

- a phone number of someone signed up on their behalf goes ``PHONE_DAYS`` (30) after
  their last activity; the record ``OFFLINE_RETENTION_DAYS`` after it, unless staff
  renewed it (their coming places go to the waitlist, as with any erasure);
- a joining link that expired is forgotten;
- a hosting ends ``SIGNUP_RETENTION_DAYS`` after its activity (the whole series') ended,
  keeping only organisation and role; invitations go 30 days after they were used or
  expired; proposals 90 days after they were decided (or made, if never decided);
- the team's messages go 30 days after they were settled.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from datetime import datetime, timedelta

from bot.telegram.context import NaboApplication
from bot.telegram.roles import clear_host_command_menu

log = logging.getLogger(__name__)

INVITATION_KEEP = timedelta(days=30)
PROPOSAL_KEEP = timedelta(days=90)
TEAM_MESSAGE_KEEP = timedelta(days=30)


@dataclass(frozen=True, slots=True)
class PeopleRetention:
    """What one run did beyond the chat, for the log and the tests."""

    phones_dropped: int
    people_erased: int
    join_links_expired: int
    hostings_ended: int
    invitations_deleted: int
    proposals_deleted: int
    team_messages_deleted: int


async def run_people_retention(application: NaboApplication, now: datetime) -> PeopleRetention:
    """Delete and end what has expired beyond the chat; nothing else."""
    bot_data = application.bot_data
    services, config = bot_data.services, bot_data.config
    people = services.people
    phones = await people.drop_phones(now)
    erased = 0
    for person_id in await people.due_for_erasure(now, days=config.offline_retention_days):
        erased += (await people.forget(person_id, now)).found
    if erased:
        services.sender.wake()  # whoever moved up in their places is told
    links = await people.expire_join_links(now)
    ended = await services.hosts.end_finished(
        now - timedelta(days=config.signup_retention_days), now
    )
    for user_id in set(ended):
        if not await services.hosts.is_any_host(user_id) and not config.is_staff(user_id):
            await clear_host_command_menu(application.bot, user_id)
    report = PeopleRetention(
        phones_dropped=phones,
        people_erased=erased,
        join_links_expired=links,
        hostings_ended=len(ended),
        invitations_deleted=await services.hosts.delete_old_invitations(now - INVITATION_KEEP),
        proposals_deleted=await services.hosts.delete_old_proposals(now - PROPOSAL_KEEP),
        team_messages_deleted=await services.team_messages.delete_settled_before(
            now - TEAM_MESSAGE_KEEP
        ),
    )
    if any(astuple(report)):
        log.info("retention beyond the chat: %s", report)
    return report
