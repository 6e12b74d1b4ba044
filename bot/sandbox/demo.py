"""Demo data for the sandbox: who you can be on the chat page, and a week of activities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.db.activities import ActivityDraft, ActivityRepository
from bot.db.hosts import HostRepository, Invitation
from bot.db.store import Store


@dataclass(frozen=True, slots=True)
class Persona:
    """Someone the chat page lets you be: a Telegram user in one chat with Nabo."""

    key: str
    label: str
    user_id: int
    chat_id: int
    first_name: str
    language_code: str
    phone_number: str
    staff: bool = False


STAFF_USER_ID = 1900
STAFF_GROUP_ID = -1001900
# A partner's volunteer leader who hosts one demo activity (issue #16): /host.
HOST_USER_ID = 1004
STAFF_GROUP_TITLE = "Nabo staff (sandbox)"

# Invented numbers: Danish numbers never start with 00, so these reach nobody.
PERSONAS: tuple[Persona, ...] = (
    Persona("da", "Mette, Danish-speaking resident", 1001, 1001, "Mette", "da", "+4500000001"),
    Persona("ar", "Amal, Arabic-speaking resident", 1002, 1002, "Amal", "ar", "+4500000002"),
    Persona("en", "Sam, English-speaking resident", 1003, 1003, "Sam", "en", "+4500000003"),
    Persona(
        "host",
        "Hala, volunteer leader hosting an activity",
        HOST_USER_ID,
        HOST_USER_ID,
        "Hala",
        "ar",
        "+4500000004",
    ),
    Persona(
        "staff",
        "Karen, staff member",
        STAFF_USER_ID,
        STAFF_USER_ID,
        "Karen",
        "da",
        "+4500000009",
        staff=True,
    ),
    Persona(
        "staff-group",
        "The staff group (as Karen)",
        STAFF_USER_ID,
        STAFF_GROUP_ID,
        "Karen",
        "da",
        "+4500000009",
        staff=True,
    ),
)


def _ltr(value: str) -> str:
    # Latin names inside Arabic text read right only between Unicode isolates.
    return f"\u2068{value}\u2069"


@dataclass(frozen=True, slots=True)
class DemoActivity:
    """One weekly activity of the demo week, in all three languages."""

    weekday: int  # 0 = Monday
    start: time
    minutes: int
    delaftale: str
    area_index: int  # into Config.areas, wrapping around
    title: tuple[str, str, str]  # da, ar, en
    description: tuple[str, str, str]
    capacity: int | None
    max_per_signup: int
    deadline_hours: int | None = None


DEMO_WEEK: tuple[DemoActivity, ...] = (
    DemoActivity(
        0,
        time(15, 0),
        120,
        "education",
        0,
        ("Lektiecafé", "المساعدة في الواجبات المدرسية", "Homework café"),
        (
            "Frivillige hjælper børn fra 1. til 9. klasse med lektierne. "
            "Tag skoletasken med – der er saft og frugt.",
            "يساعد متطوعون الأطفال من الصف الأول حتى الصف التاسع في واجباتهم المدرسية. "
            "أحضروا الحقيبة المدرسية، وسيكون هناك عصير وفاكهة.",
            "Volunteers help children in grades 1 to 9 with their homework. "
            "Bring your school bag – there is juice and fruit.",
        ),
        20,
        4,
    ),
    DemoActivity(
        1,
        time(13, 0),
        120,
        "education",
        2,
        (
            "IT-hjælp: MitID og Digital Post",
            f"مساعدة في الحاسوب: {_ltr('MitID')} و{_ltr('Digital Post')}",
            "Computer help: MitID and Digital Post",
        ),
        (
            "Få hjælp til MitID, Digital Post og breve fra kommunen. "
            "Vi hjælper én ad gangen, så der er kun få pladser.",
            f"نساعدك في {_ltr('MitID')} و{_ltr('Digital Post')} ورسائل البلدية. "
            "نساعد شخصا واحدا في كل مرة، لذلك الأماكن قليلة.",
            "Get help with MitID, Digital Post and letters from the municipality. "
            "We help one person at a time, so there are only a few places.",
        ),
        3,
        1,
    ),
    DemoActivity(
        1,
        time(17, 0),
        120,
        "community",
        1,
        (
            "Sprogcafé: øv dansk over en kop kaffe",
            "مقهى اللغة: الدنماركية مع الجيران على فنجان قهوة",
            "Language café: practise Danish over coffee",
        ),
        (
            "Snak dansk med naboer og frivillige i dit eget tempo. "
            "Alle niveauer er velkomne, også hvis du lige er begyndt.",
            "يمكنك التحدث بالدنماركية مع الجيران والمتطوعين بالسرعة التي تناسبك. "
            "جميع المستويات مرحب بها، حتى لو بدأت التعلم للتو.",
            "Speak Danish with neighbours and volunteers at your own pace. "
            "All levels are welcome, also if you have just started.",
        ),
        None,
        6,
    ),
    DemoActivity(
        2,
        time(10, 0),
        120,
        "employment",
        0,
        (
            "Jobcafé: hjælp til CV og ansøgning",
            "مقهى العمل: مساعدة في السيرة الذاتية وطلبات التوظيف",
            "Job café: help with your CV and applications",
        ),
        (
            "Tag din computer eller telefon med. En jobkonsulent fra Viborg Kommune "
            "hjælper dig med at skrive dit CV og din ansøgning.",
            "يمكنك إحضار حاسوبك أو هاتفك. سيساعدك مستشار توظيف من بلدية ڤيبورغ "
            "في كتابة سيرتك الذاتية وطلب التوظيف.",
            "Bring your computer or phone. A job adviser from Viborg Kommune "
            "helps you write your CV and your application.",
        ),
        8,
        1,
    ),
    DemoActivity(
        2,
        time(19, 0),
        90,
        "education",
        2,
        (
            "Forældremøde: godt i gang med skolen",
            "لقاء أولياء الأمور: بداية جيدة في المدرسة",
            "Parents' meeting: a good start at school",
        ),
        (
            "Skolen og det boligsociale team fortæller om skoledagen, lektier og Aula. "
            "Der er tolk på arabisk.",
            "تحدثكم المدرسة وفريق العمل عن اليوم الدراسي والواجبات المدرسية وتطبيق "
            f"{_ltr('Aula')}. تتوفر ترجمة فورية إلى العربية.",
            "The school and the housing team talk about the school day, homework and Aula. "
            "An Arabic interpreter is there.",
        ),
        30,
        2,
    ),
    DemoActivity(
        3,
        time(16, 0),
        120,
        "employment",
        2,
        (
            "Fritidsjob: sådan får du dit første job",
            "عمل بعد المدرسة: كيف تحصل على عملك الأول",
            "Part-time jobs: how to get your first job",
        ),
        (
            "For unge mellem 13 og 17 år. Vi øver jobsamtalen og skriver en kort ansøgning sammen.",
            f"للشباب بين {_ltr('13')} و{_ltr('17')} عاما. نتدرب معا على مقابلة العمل "
            "ونكتب طلبا قصيرا.",
            "For young people aged 13 to 17. We practise the job interview and write "
            "a short application together.",
        ),
        12,
        1,
    ),
    DemoActivity(
        3,
        time(18, 0),
        120,
        "community",
        1,
        ("Fællesspisning", "عشاء مشترك", "Shared dinner"),
        (
            "Vi laver mad sammen og spiser sammen. Voksne 20 kr., børn spiser gratis. "
            "Der er altid en ret uden svinekød.",
            f"نطبخ معا ونأكل معا. {_ltr('20')} كرونة للبالغين، والأطفال مجانا. "
            "يوجد دائما طبق خال من لحم الخنزير.",
            "We cook together and eat together. Adults 20 kr., children eat for free. "
            "There is always a dish without pork.",
        ),
        40,
        6,
        24,
    ),
    DemoActivity(
        4,
        time(10, 0),
        120,
        "community",
        0,
        ("Kvindecafé", "مقهى النساء", "Women's café"),
        (
            "Kaffe, te og en god snak med andre kvinder fra området. "
            "Børn, der ikke går i skole endnu, er velkomne.",
            "قهوة وشاي وحديث لطيف مع نساء أخريات من الحي. "
            "الأطفال الذين لم يدخلوا المدرسة بعد مرحب بهم.",
            "Coffee, tea and a good chat with other women from the area. "
            "Children who are not at school yet are welcome.",
        ),
        15,
        3,
    ),
    DemoActivity(
        5,
        time(10, 0),
        120,
        "community",
        2,
        (
            "Fodbold for børn og unge",
            "كرة القدم للأطفال والشباب",
            "Football for children and teens",
        ),
        (
            "Vi spiller på banen bag beboerhuset. Husk drikkedunk og tøj efter vejret.",
            "نلعب في الملعب خلف دار السكان. لا تنسوا قارورة الماء وملابس تناسب الطقس.",
            "We play on the pitch behind the community house. "
            "Bring a water bottle and clothes for the weather.",
        ),
        None,
        6,
    ),
    DemoActivity(
        6,
        time(11, 0),
        240,
        "community",
        1,
        (
            "Familietur til Hald Sø",
            f"رحلة عائلية إلى {_ltr('Hald Sø')}",
            "Family trip to Hald Sø",
        ),
        (
            "Vi tager bussen sammen fra beboerhuset og går en tur rundt om søen. "
            "Tag madpakke med – vi sørger for kage.",
            "نسافر معا بالحافلة من دار السكان ونتمشى حول البحيرة. أحضروا طعامكم، ونحن نحضر الكعك.",
            "We take the bus together from the community house and walk around the lake. "
            "Bring a packed lunch – we bring cake.",
        ),
        30,
        6,
        48,
    ),
)


def next_start(weekday: int, at: time, now: datetime, zone: ZoneInfo) -> datetime:
    """Return the first local ``weekday`` at ``at`` after ``now``: within the coming week."""
    today = now.astimezone(zone).date()
    day = today + timedelta(days=(weekday - today.weekday()) % 7)
    start = datetime.combine(day, at, tzinfo=zone)
    return start if start > now else start + timedelta(days=7)


def demo_drafts(now: datetime, zone: ZoneInfo, areas: tuple[str, ...]) -> list[ActivityDraft]:
    """Return the demo week as drafts: each on its next weekday, in the configured areas."""
    drafts = []
    for item in DEMO_WEEK:
        starts_at = next_start(item.weekday, item.start, now, zone)
        area = areas[item.area_index % len(areas)]
        deadline = starts_at - timedelta(hours=item.deadline_hours) if item.deadline_hours else None
        drafts.append(
            ActivityDraft(
                title_da=item.title[0],
                title_ar=item.title[1],
                title_en=item.title[2],
                description_da=item.description[0],
                description_ar=item.description[1],
                description_en=item.description[2],
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=item.minutes),
                place=f"Beboerhuset, {area}",
                delaftale=item.delaftale,
                area=area,
                capacity=item.capacity,
                # A deadline already passed would only show a closed activity; leave it out.
                signup_deadline=deadline if deadline and deadline > now else None,
                max_per_signup=item.max_per_signup,
            )
        )
    return sorted(drafts, key=lambda draft: draft.starts_at)


async def load_demo_data(
    store: Store, now: datetime, zone: ZoneInfo, areas: tuple[str, ...]
) -> int:
    """Add the demo week's activities that are not there yet; return how many were added.

    An activity is the same when its Danish title and start are, so loading twice adds
    nothing, and a sandbox started again later only adds the days that came round again.
    """
    added = await ActivityRepository(store).add_missing(demo_drafts(now, zone, areas), now)
    await _demo_hosting(store, now)
    return len(added)


async def _demo_hosting(store: Store, now: datetime) -> None:
    """Make the host persona the host of the next activity, unless she hosts one already.

    As staff would: an invitation for a partner's volunteer leader, which she accepts.
    """
    hosts = HostRepository(store)
    if await hosts.is_any_host(HOST_USER_ID):
        return
    coming = await ActivityRepository(store).not_started(now)
    if not coming:
        return
    invitation = Invitation(coming[0].id, False, "partner", "Røde Kors Viborg", "Frivillig leder")
    token = await hosts.invite(invitation, STAFF_USER_ID, now)
    await hosts.accept(token, HOST_USER_ID, "Hala", "ar", now)
