"""Staff say who runs an activity, from its edit menu; it is stored with the activity."""

from bot.core.i18n import Catalogs
from bot.db.activities import ActivityRepository
from handlers.organiser import organiser_text
from tests.conftest import STAFF_ID, Nabo, consented, settle
from tests.factories import add_activity
from tests.test_journey_hosts import refused_like_forged
from tests.test_journey_staff_activities import audit, press_in_place, say, staff_user


async def test_staff_say_a_partner_runs_it_then_the_team(nabo: Nabo, catalogs: Catalogs) -> None:
    da = catalogs.translator("da")
    server, now = nabo.server, nabo.clock.now()
    staff_user(server)
    activity_id = await add_activity(nabo.store, now)
    listing = await say(server, "/signups")
    server.reset_rate_limits()
    server.press_button(STAFF_ID, listing["message_id"], f"st:e:{activity_id}")
    menu = await server.wait_for_edit(STAFF_ID, listing["message_id"])
    kinds = await press_in_place(server, menu, da.gettext("🤝 Who runs it"))
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert organiser_text(da, activity) in kinds["text"]
    await press_in_place(server, kinds, da.gettext("A partner organisation"))
    server.reset_rate_limits()
    server.send_text(STAFF_ID, "Røde Kors Viborg")
    [saved, _view] = await server.wait_for_messages(STAFF_ID, 2)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert (activity.organiser_kind, activity.organiser_name) == ("partner", "Røde Kors Viborg")
    assert saved["text"] == organiser_text(da, activity)
    assert (
        STAFF_ID,
        "activity.edit",
        f"activity:{activity_id}",
        "field=organiser,kind=partner",
    ) in (await audit(nabo))
    # Back to the team: no name.
    server.reset_rate_limits()
    server.press_button(STAFF_ID, menu["message_id"], f"st:org:{activity_id}")
    kinds = await server.wait_for_edit(STAFF_ID, menu["message_id"])
    server.reset_rate_limits()
    server.press(STAFF_ID, kinds, da.gettext("The team"))
    await server.wait_for_messages(STAFF_ID, 2)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert (activity.organiser_kind, activity.organiser_name) == ("team", None)


async def test_residents_cannot_change_who_runs_it(nabo: Nabo, catalogs: Catalogs) -> None:
    activity_id = await add_activity(nabo.store, nabo.clock.now())
    await consented(nabo, 8, "en")
    await refused_like_forged(nabo, 8, [f"st:org:{activity_id}", "st:org:k:partner"])
    await settle(nabo)
    activity = await ActivityRepository(nabo.store).get(activity_id)
    assert activity is not None
    assert activity.organiser_kind == "team"
