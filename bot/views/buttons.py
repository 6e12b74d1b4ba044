"""Every kind of button Nabo shows, defined once: the views build them, the handlers parse them.

Each class is one kind of button (``bot.core.callback_data``): its prefix and typed fields.
A view writes ``InlineKeyboardButton(label, callback_data=ShowActivity(7).pack())``; the
journey that answers it registers ``ShowActivity.pattern()`` and reads the press with
``ShowActivity.parse(press.data)``. The data keeps the short forms Nabo has always sent
(``act:s:7``), so buttons on messages sent before an update still work.
"""

from __future__ import annotations

from typing import Annotated

from bot.core.callback_data import ButtonData, Count, Flag, Id, Part, digits, hex_token, one_of
from bot.core.config import LANGUAGES
from bot.core.start_links import DoorToken, OptionalSource, SourceCode
from bot.db.activities import DELAFTALER
from bot.db.feedback import SUBJECTS
from bot.db.volunteers import KINDS, TIMES
from bot.db.volunteers import LANGUAGES as VOLUNTEER_LANGUAGES

# Fields more than one kind of button shares.
Language = Annotated[str, one_of(*LANGUAGES)]
Delaftale = Annotated[str, one_of(*DELAFTALER)]
# An area as a button carries it: its place in AREAS (0-based), or "o" for "other".
AreaKey = Annotated[str, Part(r"o|\d{1,2}", "99")]
# The list filters: "-" for any, else a delaftale's letter or an area key.
ANY = "-"
DELAFTALE_LETTERS = {"education": "e", "employment": "m", "community": "c"}
DelaftaleFilter = Annotated[str, Part("[-emc]", "-")]
AreaFilter = Annotated[str, Part(r"-|o|\d{1,2}", "99")]


# The main menu (handlers named beside each).
class MenuHome(ButtonData, prefix="menu:home"):
    """Open the main menu (handlers/start.py)."""


class MenuActivities(ButtonData, prefix="menu:activities"):
    """Open the list of activities (handlers/activities.py)."""


class MenuMine(ButtonData, prefix="menu:mine"):
    """Open the resident's sign-ups (handlers/signup.py)."""


class MenuSettings(ButtonData, prefix="menu:settings"):
    """Open what the resident hears about (handlers/settings.py)."""


class MenuHelp(ButtonData, prefix="menu:help"):
    """Open the help (handlers/help.py)."""


class MenuLanguage(ButtonData, prefix="menu:language"):
    """Open the language choice (handlers/language.py)."""


class MenuPrivacy(ButtonData, prefix="menu:privacy"):
    """Open privacy and my data (handlers/privacy.py)."""


class MenuVolunteer(ButtonData, prefix="menu:volunteer"):
    """Open the offer of help (handlers/volunteer.py)."""


class MenuFeedback(ButtonData, prefix="menu:feedback"):
    """Open feedback (handlers/feedback.py)."""


# The privacy notice and the resident's data (handlers/start.py, handlers/privacy.py).
class ConsentYes(ButtonData, prefix="consent:yes"):
    """Accept the privacy notice."""


class ConsentNo(ButtonData, prefix="consent:no"):
    """Decline the privacy notice."""


class ReadNotice(ButtonData, prefix="consent:lang"):
    """Read the privacy notice in another language."""

    language: Language


class ShowMyData(ButtonData, prefix="privacy:data"):
    """Show what Nabo stores about the resident."""


class AskDelete(ButtonData, prefix="privacy:delete"):
    """Ask to delete the resident's data (a confirmation follows)."""


class ConfirmDelete(ButtonData, prefix="privacy:delete:yes"):
    """Delete the resident's data, confirmed."""


class SetLanguage(ButtonData, prefix="lang:set"):
    """Choose the language Nabo speaks (handlers/language.py)."""

    language: Language


# Finding activities (handlers/activities.py).
class ActivityList(ButtonData, prefix="act:l"):
    """Open a page of the list of activities, with its filters."""

    page: Annotated[int, digits(4)] = 0
    delaftale: DelaftaleFilter = ANY
    area: AreaFilter = ANY


class ShowActivity(ButtonData, prefix="act:s"):
    """Open an activity's page."""

    activity_id: Id


class ActivityCalendar(ButtonData, prefix="act:ics"):
    """Send an activity as a calendar file."""

    activity_id: Id


class PickDelaftale(ButtonData, prefix="act:fd"):
    """Choose a theme for the list (keeping the area filter)."""

    area: AreaFilter


class PickArea(ButtonData, prefix="act:fa"):
    """Choose an area for the list (keeping the theme filter)."""

    delaftale: DelaftaleFilter


# Signing up and cancelling (handlers/signup.py).
# A sign-up begun on a card a source's link opened carries the source's code to the end,
# so the sign-up counts for it (the last field, left out otherwise: old buttons still work).
class StartSignup(ButtonData, prefix="su:n"):
    """Start signing up (or joining the waitlist): ask how many adults."""

    activity_id: Id
    waitlist: Flag
    source: OptionalSource = None


class ChooseAdults(ButtonData, prefix="su:a"):
    """Take the number of adults; ask how many children."""

    activity_id: Id
    waitlist: Flag
    adults: Count
    source: OptionalSource = None


class ConfirmSignup(ButtonData, prefix="su:c"):
    """Sign up the household (or put it on the waitlist)."""

    activity_id: Id
    waitlist: Flag
    adults: Count
    children: Count
    source: OptionalSource = None


# Checking in at the door without a sign-up (handlers/door.py): how many came. Each step
# carries the door code's token, checked again on every press.
class DoorAdults(ButtonData, prefix="ci:a"):
    """Take the number of adults who came; ask how many children."""

    activity_id: Id
    token: DoorToken
    adults: Count
    source: OptionalSource = None


class DoorChildren(ButtonData, prefix="ci:c"):
    """Check in the adults and children who came."""

    activity_id: Id
    token: DoorToken
    adults: Count
    children: Count
    source: OptionalSource = None


class DoorHousehold(ButtonData, prefix="ci:h"):
    """Say that someone of the household has checked everyone in already."""

    activity_id: Id
    token: DoorToken


class AskCancelSignup(ButtonData, prefix="su:x"):
    """Ask to cancel a sign-up or leave the waitlist (a confirmation follows)."""

    signup_id: Id


class CancelSignup(ButtonData, prefix="su:xy"):
    """Cancel a sign-up, confirmed."""

    signup_id: Id


class KeepSignup(ButtonData, prefix="su:keep"):
    """Keep the sign-up after all."""


class SetReminders(ButtonData, prefix="su:rem"):
    """Turn reminders on or off."""

    on: Flag


# What the resident hears about (handlers/settings.py).
class SetSubscribed(ButtonData, prefix="set:sub"):
    """Turn announcements on or off."""

    on: Flag


class ToggleDelaftale(ButtonData, prefix="set:d"):
    """Tick or untick a theme."""

    delaftale: Delaftale


class ToggleArea(ButtonData, prefix="set:a"):
    """Tick or untick an area."""

    area: AreaKey


# Volunteers (handlers/volunteer.py); staff's side of offers (handlers/staff_volunteers.py).
class VolunteerKind(ButtonData, prefix="vol:k"):
    """Tick or untick a kind of help."""

    kind: Annotated[str, one_of(*KINDS)]


class VolunteerTime(ButtonData, prefix="vol:t"):
    """Tick or untick a time the volunteer can help."""

    time: Annotated[str, one_of(*TIMES)]


class VolunteerLanguage(ButtonData, prefix="vol:l"):
    """Tick or untick a language the volunteer translates or interprets between."""

    code: Annotated[str, one_of(*VOLUNTEER_LANGUAGES)]


class VolunteerNext(ButtonData, prefix="vol:next"):
    """Go on to the next question."""


class VolunteerContact(ButtonData, prefix="vol:c"):
    """Choose how the team may get in touch."""

    how: Annotated[str, one_of("nabo", "phone")]


class VolunteerNote(ButtonData, prefix="vol:note"):
    """Skip the note, or keep the one given before."""

    choice: Annotated[str, one_of("skip", "keep")]


class VolunteerSend(ButtonData, prefix="vol:send"):
    """Send the offer of help."""


class VolunteerStop(ButtonData, prefix="vol:stop"):
    """Stop writing the offer of help."""


class VolunteerChange(ButtonData, prefix="vol:change"):
    """Change the offer of help standing."""


class AskWithdraw(ButtonData, prefix="vol:wd"):
    """Ask to withdraw the offer of help (a confirmation follows)."""


class Withdraw(ButtonData, prefix="vol:wd:yes"):
    """Withdraw the offer of help, confirmed."""


class KeepOffer(ButtonData, prefix="vol:wd:no"):
    """Keep the offer of help after all."""


class ReplyToTeam(ButtonData, prefix="vol:reply"):
    """Reply to the team's message about the offer."""


# On offers and hosts' proposals posted to staff, in the staff chat or each one's chat.
STAFF_CHAT_BUTTONS: tuple[str, ...] = ("st:vol:", "st:prop:")
STATUS_CODES = {"contacted": "c", "active": "a", "not_now": "n"}


class OfferList(ButtonData, prefix="st:vol:list"):
    """List the offers of help."""


class OfferStatus(ButtonData, prefix="st:vol:s"):
    """Mark an offer contacted, active or not now (by its letter in STATUS_CODES)."""

    offer_id: Id
    status: Annotated[str, one_of(*STATUS_CODES.values())]


class OfferWrite(ButtonData, prefix="st:vol:w"):
    """Write to a volunteer through Nabo."""

    offer_id: Id


class OfferOpen(ButtonData, prefix="st:vol:o"):
    """Open one offer of help."""

    offer_id: Id


# Feedback (handlers/feedback.py).
class FeedbackSubject(ButtonData, prefix="fb:s"):
    """Choose what the feedback is about."""

    subject: Annotated[str, one_of(*SUBJECTS)]


class FeedbackActivity(ButtonData, prefix="fb:a"):
    """Choose the activity the feedback is about."""

    activity_id: Id


class FeedbackRating(ButtonData, prefix="fb:v"):
    """Give a rating with the feedback (0: none)."""

    rating: Annotated[int, Part("[0-5]", "5", int)]


class FeedbackSkipText(ButtonData, prefix="fb:skip"):
    """Send the feedback without a text."""


class FeedbackLink(ButtonData, prefix="fb:l"):
    """Say whether the team may know the feedback is from the resident."""

    linked: Flag


class FeedbackStop(ButtonData, prefix="fb:stop"):
    """Stop giving feedback."""


class RateActivity(ButtonData, prefix="fb:r"):
    """Answer "how was it?" after an activity, with its question's token."""

    token: Annotated[str, hex_token(16)]
    rating: Annotated[int, Part("[1-5]", "5", int)]


class SkipComment(ButtonData, prefix="fb:cskip"):
    """Add no comment to a rating."""


# Staff: the menu, activities, attendance (handlers/staff*.py).
class StaffMenu(ButtonData, prefix="st:menu"):
    """Open the staff menu."""


class NewActivity(ButtonData, prefix="st:new"):
    """Start describing a new activity."""


class StaffActivities(ButtonData, prefix="st:acts"):
    """Open a page of staff's list of activities."""

    page: Annotated[int, digits(4)] = 0


class StaffActivity(ButtonData, prefix="st:a"):
    """Open staff's view of an activity."""

    activity_id: Id


class EditActivity(ButtonData, prefix="st:e"):
    """Open the edit menu of an activity."""

    activity_id: Id


class AskCancelActivity(ButtonData, prefix="st:c"):
    """Ask to cancel an activity (a confirmation follows)."""

    activity_id: Id


class CancelActivity(ButtonData, prefix="st:cy"):
    """Cancel an activity, confirmed."""

    activity_id: Id


class Attendance(ButtonData, prefix="st:att"):
    """Open the attendance list of an activity (at a page)."""

    activity_id: Id
    page: Annotated[int | None, digits(3)] = None


class MarkAttendance(ButtonData, prefix="st:at"):
    """Mark whether a sign-up came."""

    activity_id: Id
    signup_id: Id
    came: Flag


class WalkIns(ButtonData, prefix="st:wi"):
    """Count one walk-in more (p) or fewer (m)."""

    activity_id: Id
    change: Annotated[str, one_of("m", "p")]
    page: Annotated[int, digits(3)]


# The activity editor (handlers/staff_activity_editor.py).
REPEAT_WEEKS = (1, 2, 3, 4, 8, 12)
# The fields staff can change, and the texts they can remove (all but the Danish title).
EDIT_FIELDS = ("time", "place", "cap", "t_da", "t_ar", "t_en", "d_da", "d_ar", "d_en")
REMOVABLE_TEXTS = ("t_ar", "t_en", "d_da", "d_ar", "d_en")


class SkipQuestion(ButtonData, prefix="st:n:s"):
    """Skip an optional question of the new activity (by its state)."""

    state: Annotated[int, digits(2)]


class DraftUnlimited(ButtonData, prefix="st:n:cap"):
    """Give the new activity unlimited places."""


class DraftDelaftale(ButtonData, prefix="st:n:d"):
    """Choose the new activity's delaftale."""

    delaftale: Delaftale


class DraftArea(ButtonData, prefix="st:n:a"):
    """Choose the new activity's area."""

    area: AreaKey


class DraftRepeat(ButtonData, prefix="st:n:r"):
    """Repeat the new activity weekly this many more weeks (0: once)."""

    weeks: Annotated[int, Part("|".join(str(n) for n in (0, *REPEAT_WEEKS)), "12", int)]


class PublishDraft(ButtonData, prefix="st:n"):
    """Publish the new activity, and announce it or not."""

    how: Annotated[str, one_of("pub", "ann")]


class DiscardDraft(ButtonData, prefix="st:n:del"):
    """Throw the new activity away."""


class EditField(ButtonData, prefix="st:ef"):
    """Change one field of an activity."""

    activity_id: Id
    field: Annotated[str, one_of(*EDIT_FIELDS)]


class RemoveText(ButtonData, prefix="st:erm"):
    """Remove an optional text of an activity."""

    activity_id: Id
    field: Annotated[str, one_of(*REMOVABLE_TEXTS)]


class EditUnlimited(ButtonData, prefix="st:ecu"):
    """Make an activity's places unlimited."""

    activity_id: Id


class KeepLength(ButtonData, prefix="st:ekl"):
    """Keep an activity's length when its start moves."""

    activity_id: Id


# Broadcasts (handlers/broadcast.py).
AUDIENCES = ("all", *LANGUAGES, "acts", "vol")


class NewBroadcast(ButtonData, prefix="st:bc:new"):
    """Start writing a message to residents."""


class SkipBroadcastText(ButtonData, prefix="st:bc:skip"):
    """Send the message without a version in this language."""


class BroadcastAudience(ButtonData, prefix="st:bc:to"):
    """Choose who gets the message."""

    audience: Annotated[str, one_of(*AUDIENCES)]


class BroadcastActivity(ButtonData, prefix="st:bc:act"):
    """Send the message to those signed up for this activity."""

    activity_id: Id


class SendNow(ButtonData, prefix="st:bc:now"):
    """Send the message now."""


class SendLater(ButtonData, prefix="st:bc:later"):
    """Send the message at a set time."""


class SendBroadcast(ButtonData, prefix="st:bc:send"):
    """Send (or schedule) the message in the preview with this token."""

    token: Annotated[str, hex_token(8)]


class DiscardBroadcast(ButtonData, prefix="st:bc:discard"):
    """Throw away the message in the preview with this token."""

    token: Annotated[str, hex_token(8)]


class ScheduledList(ButtonData, prefix="st:bc:list"):
    """List the scheduled messages."""


class CancelScheduled(ButtonData, prefix="st:bc:x"):
    """Cancel a scheduled message."""

    broadcast_id: Id


# Translations by volunteers (handlers/translation.py), asked for from handlers/broadcast.py
# and the activity editor: into which language, and within how many hours.
TRANSLATION_TARGETS = ("ar", "en")
DEADLINE_HOURS = (3, 24, 72)
Target = Annotated[str, one_of(*TRANSLATION_TARGETS)]
Hours = Annotated[int, Part("|".join(str(hours) for hours in DEADLINE_HOURS), "72", int)]


class BroadcastTranslator(ButtonData, prefix="st:bc:tr"):
    """Ask volunteers to translate the message into a language, within so many hours."""

    language: Target
    hours: Hours


class SaveWaitingBroadcast(ButtonData, prefix="st:bc:wait"):
    """Keep the message in the preview with this token until its translations come."""

    token: Annotated[str, hex_token(8)]


class SendWaitingBroadcast(ButtonData, prefix="st:bc:ws"):
    """Send a message whose translations are all decided."""

    draft_id: Id


class DiscardWaitingBroadcast(ButtonData, prefix="st:bc:wd"):
    """Throw away a message that waited for translations."""

    draft_id: Id


class DraftTranslator(ButtonData, prefix="st:n:tr"):
    """Ask volunteers for the new activity's title and description (the question's language)."""

    state: Annotated[int, digits(2)]
    hours: Hours


class EditTranslator(ButtonData, prefix="st:etr"):
    """Ask volunteers for one Arabic or English text of an activity."""

    activity_id: Id
    field: Annotated[str, one_of("t_ar", "t_en", "d_ar", "d_en")]
    hours: Hours


class TakeTranslation(ButtonData, prefix="tr:take"):
    """Take a translation task (the first volunteer to press gets it)."""

    request_id: Id


class WriteTranslation(ButtonData, prefix="tr:write"):
    """Write (or go on writing) the translation one holds."""

    request_id: Id


class GiveTranslationBack(ButtonData, prefix="tr:back"):
    """Give a translation task back to the others."""

    request_id: Id


class SendTranslation(ButtonData, prefix="tr:send"):
    """Send the finished translation to the team."""

    request_id: Id


class RedoTranslation(ButtonData, prefix="tr:redo"):
    """Write the translation again from the start."""

    request_id: Id


class AcceptTranslation(ButtonData, prefix="st:tr:ok"):
    """Use the translation as it is."""

    request_id: Id


class ChangeTranslation(ButtonData, prefix="st:tr:ed"):
    """Change the translation, then use it."""

    request_id: Id


class RejectTranslation(ButtonData, prefix="st:tr:no"):
    """Do not use the translation."""

    request_id: Id


class AskTranslatorsAgain(ButtonData, prefix="st:tr:again"):
    """After a translation was not used, ask the other volunteers."""

    request_id: Id


class UseDanish(ButtonData, prefix="st:tr:da"):
    """Give up on the translation: residents read the Danish."""

    request_id: Id


class WriteTranslationMyself(ButtonData, prefix="st:tr:own"):
    """Write the text in the language oneself."""

    request_id: Id


class WaitForTranslator(ButtonData, prefix="st:tr:wait"):
    """Give volunteers one more day."""

    request_id: Id


class KeepTranslationPart(ButtonData, prefix="st:tr:keep"):
    """Keep this part of the translation as the volunteer wrote it."""

    request_id: Id


# Staff review (handlers/staff_reports.py).
class Export(ButtonData, prefix="st:export"):
    """Send the workbook of everything."""


class Report(ButtonData, prefix="st:report"):
    """Send this quarter's report."""


# Printed posters and sources (handlers/staff_posters.py).
NABO_ITSELF = 0  # the activity id that stands for Nabo's own poster
POSTER_KINDS = {"poster": "p", "flyer": "f", "door": "d", "share": "s"}
POSTER_LANGUAGES = ("all", *LANGUAGES)
NO_SOURCE = "-"


class PosterList(ButtonData, prefix="st:pl"):
    """Open a page of the activities to print a poster for."""

    page: Annotated[int, digits(3)] = 0


class PosterFor(ButtonData, prefix="st:pf"):
    """Choose what to print for an activity (0: Nabo itself)."""

    activity_id: Id


class PosterKind(ButtonData, prefix="st:pk"):
    """Choose the kind of sheet."""

    activity_id: Id
    kind: Annotated[str, one_of(*POSTER_KINDS.values())]


class PosterLanguage(ButtonData, prefix="st:pg"):
    """Choose the language (or all three on one sheet); then the sources, at a page."""

    activity_id: Id
    kind: Annotated[str, one_of(*POSTER_KINDS.values())]
    language: Annotated[str, one_of(*POSTER_LANGUAGES)]
    page: Annotated[int | None, digits(3)] = None


class PosterMake(ButtonData, prefix="st:pm"):
    """Make the sheet, with a source's code (or "-" for none), and send it."""

    activity_id: Id
    kind: Annotated[str, one_of(*POSTER_KINDS.values())]
    language: Annotated[str, one_of(*POSTER_LANGUAGES)]
    source: Annotated[str, Part(r"-|[a-z0-9]{6}", "zzzzzz")]


class SourceList(ButtonData, prefix="st:src"):
    """List the sources (at a page)."""

    page: Annotated[int | None, digits(3)] = None


class AskDeleteSource(ButtonData, prefix="st:srcx"):
    """Ask to delete a source (a confirmation follows), from a page of the list."""

    code: SourceCode
    page: Annotated[int | None, digits(3)] = None


class DeleteSource(ButtonData, prefix="st:srcxy"):
    """Delete a source, confirmed; then back to that page of the list."""

    code: SourceCode
    page: Annotated[int | None, digits(3)] = None


# A host's proposal for a new activity, posted to staff (handlers/host_proposals.py).
class PublishProposal(ButtonData, prefix="st:prop:ok"):
    """Publish a host's proposal as a new activity (the proposer becomes its host)."""

    proposal_id: Id


class DeclineProposal(ButtonData, prefix="st:prop:no"):
    """Decline a host's proposal."""

    proposal_id: Id


class ProposalTranslators(ButtonData, prefix="st:prop:tr"):
    """Ask volunteer translators for a published Danish proposal's Arabic and English."""

    activity_id: Id
    hours: Hours


# Signing up someone who does not use Nabo (handlers/on_behalf.py): from staff's view of an
# activity, or a host's; the steps between carry only the answer, the draft is the
# conversation's.
TOLD_HOW_CODES = ("in_person", "phone", "paper")


class StaffSignUpFor(ButtonData, prefix="st:ob"):
    """Staff: sign up someone without Telegram for this activity."""

    activity_id: Id


class HostSignUpFor(ButtonData, prefix="h:ob"):
    """A host: sign up someone without Telegram for this activity."""

    activity_id: Id


class PickPerson(ButtonData, prefix="ob:p"):
    """Sign up someone registered before (by their record's id)."""

    person_id: Id


class SomeoneNew(ButtonData, prefix="ob:new"):
    """Sign up someone not registered before."""


class PartyAdults(ButtonData, prefix="ob:a"):
    """How many adults come."""

    adults: Count


class PartyChildren(ButtonData, prefix="ob:c"):
    """How many children come."""

    children: Count


class PersonLanguage(ButtonData, prefix="ob:l"):
    """The language the person reads and speaks."""

    language: Language


class PersonArea(ButtonData, prefix="ob:ar"):
    """The housing area the person lives in."""

    area: AreaKey


class NoCalls(ButtonData, prefix="ob:nocall"):
    """The person does not want to be called: no phone number."""


class ToldHow(ButtonData, prefix="ob:t"):
    """How the person was told how Nabo handles their data."""

    how: Annotated[str, one_of(*TOLD_HOW_CODES)]


class ConfirmOnBehalf(ButtonData, prefix="ob:ok"):
    """Sign them up (or put them on the waitlist), for the draft with this token."""

    token: Annotated[str, hex_token(8)]
    waitlist: Flag


class StopOnBehalf(ButtonData, prefix="ob:stop"):
    """Stop signing someone up; nothing is saved."""


class PrintNotice(ButtonData, prefix="pn"):
    """Staff or a host: the privacy notice to print, in one language or all three."""

    language: Annotated[str, one_of("all", *LANGUAGES)]


class JoinLinkFor(ButtonData, prefix="st:jl"):
    """Staff: make a one-time joining link for someone signed up on their behalf."""

    person_id: Id


# Activity hosts (handlers/host.py): every press names what it acts on, and the handler
# checks that the presser hosts it now (bot/telegram/roles.py).
class HostMenu(ButtonData, prefix="h:menu"):
    """Open a host's menu: their activities."""


class HostActivity(ButtonData, prefix="h:a"):
    """Open a host's view of one of their activities (its roster)."""

    activity_id: Id


class HostAttendance(ButtonData, prefix="h:att"):
    """Open the attendance list of a host's activity (at a page)."""

    activity_id: Id
    page: Annotated[int | None, digits(3)] = None


class HostMarkAttendance(ButtonData, prefix="h:at"):
    """Record whether a sign-up of a host's activity came."""

    activity_id: Id
    signup_id: Id
    came: Flag


class HostWalkIns(ButtonData, prefix="h:wi"):
    """Count one walk-in more (p) or fewer (m) at a host's activity."""

    activity_id: Id
    change: Annotated[str, one_of("m", "p")]
    page: Annotated[int, digits(3)]


class HostDoorPoster(ButtonData, prefix="h:door"):
    """A host: print the door check-in poster of their activity (as staff can)."""

    activity_id: Id


class HostWriteMessage(ButtonData, prefix="h:msg"):
    """A host: write a message to the participants of their activity."""

    activity_id: Id


class HostSendMessage(ButtonData, prefix="h:msg:ok"):
    """A host: send the message in the preview with this token."""

    token: Annotated[str, hex_token(8)]


class HostDiscardMessage(ButtonData, prefix="h:msg:no"):
    """A host: throw away the message in the preview with this token."""

    token: Annotated[str, hex_token(8)]


class HostPropose(ButtonData, prefix="h:prop"):
    """A host: propose a new activity to the team."""


class ProposalSkip(ButtonData, prefix="hp:s"):
    """Leave the description of a proposal out."""


class ProposalUnlimited(ButtonData, prefix="hp:cap"):
    """Propose an activity open to all (no limit on places)."""


class ProposalDelaftale(ButtonData, prefix="hp:d"):
    """Choose the proposed activity's delaftale."""

    delaftale: Delaftale


class ProposalArea(ButtonData, prefix="hp:a"):
    """Choose the proposed activity's housing area."""

    area: AreaKey


class SendProposal(ButtonData, prefix="hp:ok"):
    """Send the proposal in the preview with this token to the team."""

    token: Annotated[str, hex_token(8)]


class DiscardProposal(ButtonData, prefix="hp:no"):
    """Throw away the proposal in the preview with this token."""

    token: Annotated[str, hex_token(8)]


# An invitation to host, opened from its link (handlers/host_welcome.py).
Token = Annotated[str, Part(r"[A-Za-z0-9_-]{22}", "A" * 22)]


class AcceptHosting(ButtonData, prefix="hj:ok"):
    """Accept the invitation to host, opened from the link with this token."""

    token: Token


class DeclineHosting(ButtonData, prefix="hj:no"):
    """Decline an invitation to host: nothing changes."""


# Staff's side of hosts (handlers/host_invitations.py).
ORGANISER_CODES = ("team", "board", "partner")


class StaffHosts(ButtonData, prefix="st:h"):
    """Staff: the hosts of an activity, to invite or remove."""

    activity_id: Id


class InviteHost(ButtonData, prefix="st:hi"):
    """Staff: invite a host for an activity."""

    activity_id: Id


class InviteScope(ButtonData, prefix="hi:s"):
    """Invite a host of this date only, or of the whole series."""

    whole_series: Flag


class InviteOrganiser(ButtonData, prefix="hi:k"):
    """Who the host comes from: the team, a tenants' board, or a partner."""

    kind: Annotated[str, one_of(*ORGANISER_CODES)]


class InviteAnyone(ButtonData, prefix="hi:any"):
    """Make the invitation work for whoever opens it (not bound to a phone number)."""


class HostList(ButtonData, prefix="st:hl"):
    """Staff: every current host."""


class AskRemoveHost(ButtonData, prefix="st:hx"):
    """Staff: ask to remove a hosting (a confirmation follows)."""

    host_id: Id


class RemoveHost(ButtonData, prefix="st:hxy"):
    """Staff: remove a hosting, confirmed; it takes effect at once."""

    host_id: Id


# Joining links of people signed up on their behalf (handlers/join.py).
class JoinAccept(ButtonData, prefix="jn:ok"):
    """Accept the privacy notice and take over the sign-ups, from the link with this token."""

    token: Token


class JoinItIsMe(ButtonData, prefix="jn:me"):
    """Confirm that the joining link is one's own (a record without a phone number)."""

    token: Token


class JoinNotMe(ButtonData, prefix="jn:no"):
    """Say the joining link is someone else's: nothing changes."""


# Data requests by phone or at the desk (handlers/person.py), staff only.
PERSON_CHECKS = ("code", "id", "callback", "other")
PERSON_ACTIONS = ("export", "erase", "renew", "link", "done")


class FindPerson(ButtonData, prefix="st:pe"):
    """Staff: find a person who asks for their data (by phone, name or Telegram number)."""


class PickFound(ButtonData, prefix="st:pe:o"):
    """Staff: choose one of the people found (r: a resident, p: a record staff made)."""

    kind: Annotated[str, one_of("r", "p")]
    key: Annotated[int, digits(15)]


class CheckedBy(ButtonData, prefix="st:pe:c"):
    """Staff: how they confirmed who is asking."""

    method: Annotated[str, one_of(*PERSON_CHECKS)]


class PersonAction(ButtonData, prefix="st:pe:d"):
    """Staff: what to do for the person (after confirming who they are)."""

    action: Annotated[str, one_of(*PERSON_ACTIONS)]


class PersonSure(ButtonData, prefix="st:pe:y"):
    """Staff: confirm sending the data or erasing it, for the request with this token."""

    action: Annotated[str, one_of("export", "erase")]
    token: Annotated[str, hex_token(8)]


# Who runs an activity (handlers/organiser.py), staff only.
class EditOrganiser(ButtonData, prefix="st:org"):
    """Staff: change who runs an activity."""

    activity_id: Id


class OrganiserKind(ButtonData, prefix="st:org:k"):
    """Staff: the team, an afdelingsbestyrelse, or a partner runs it."""

    kind: Annotated[str, one_of(*ORGANISER_CODES)]


class PersonCancelSignup(ButtonData, prefix="st:pe:x"):
    """Staff: cancel a coming sign-up of someone without Telegram, on their request."""

    signup_id: Id
