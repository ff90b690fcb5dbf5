"""The interface in Korean and English: `?lang=` in the address, else the visitor's choice (a
cookie), else Accept-Language.

These are the interface's strings; the owner's content comes in the same language where the
owner translated the profile (translations.py), and in the primary profile's language where
not.
"""

from collections.abc import Callable, Iterable
from typing import Literal

Language = Literal["ko", "en"]
LANGUAGES: tuple[Language, ...] = ("ko", "en")
LANGUAGE_COOKIE = "mysite_lang"
LANGUAGE_NAMES: dict[Language, str] = {"ko": "한국어", "en": "English"}

Translate = Callable[..., str]

# key: (English, Korean)
MESSAGES: dict[str, tuple[str, str]] = {
    # layout
    "skip": ("Skip to content", "본문으로 건너뛰기"),
    "nav.main": ("Main menu", "주 메뉴"),
    "nav.home": ("Home", "홈"),
    "nav.guestbook": ("Guestbook", "방명록"),
    "nav.admin": ("Admin", "관리"),
    "nav.login": ("Log in", "로그인"),
    "nav.signup": ("Sign up", "회원가입"),
    "nav.logout": ("Log out", "로그아웃"),
    "nav.logged_in_as": ("Logged in as {name}", "{name} 님으로 로그인됨"),
    "lang.switch": ("Switch the interface to {language}", "화면 언어를 {language}(으)로 바꾸기"),
    "footer.json": ("This profile as JSON Resume", "이 프로필을 JSON Resume로 보기"),
    "footer.made_with": ("Made with mysite", "mysite로 만들었습니다"),
    "seo.guestbook_description": (
        "Leave {name} a note in the guestbook.",
        "{name}의 방명록에 한마디 남겨 주세요.",
    ),
    "js.required": (
        "This form needs JavaScript; please turn it on.",
        "이 양식은 자바스크립트가 필요합니다. 자바스크립트를 켜 주세요.",
    ),
    "common.network_error": (
        "The server could not be reached; check your connection and try again.",
        "서버에 연결할 수 없습니다. 연결을 확인하고 다시 시도하세요.",
    ),
    "common.session_ended": (
        "Your session has ended; log in again.",
        "로그인 세션이 끝났습니다. 다시 로그인하세요.",
    ),
    "common.forbidden": ("Only the site's owner can do this.", "사이트 주인만 할 수 있습니다."),
    # home
    "home.on_this_page": ("On this page", "이 페이지에서"),
    "home.photo_alt": ("Photo of {name}", "{name}의 사진"),
    "home.empty": ("This site has no profile yet.", "아직 프로필이 없습니다."),
    "home.empty_owner": (
        "Write your profile on the admin page.",
        "관리 페이지에서 프로필을 작성하세요.",
    ),
    "section.about": ("About", "소개"),
    "section.work": ("Career", "경력"),
    "section.projects": ("Projects", "프로젝트"),
    "section.skills": ("Skills", "기술"),
    "section.education": ("Education", "학력"),
    "section.volunteer": ("Volunteering", "봉사 활동"),
    "section.awards": ("Awards", "수상"),
    "section.certificates": ("Certificates", "자격증"),
    "section.publications": ("Publications", "출판물"),
    "section.languages": ("Languages", "언어"),
    "section.interests": ("Interests", "관심사"),
    "section.references": ("References", "추천사"),
    "section.contact": ("Contact", "연락처"),
    "section.chat": ("Ask me", "물어보기"),
    "date.present": ("Present", "현재"),
    "contact.email": ("Email", "이메일"),
    "contact.phone": ("Phone", "전화"),
    "contact.website": ("Website", "웹사이트"),
    "contact.links": ("Links", "링크"),
    "project.roles": ("Roles", "역할"),
    "project.tags": ("Tags", "태그"),
    "education.score": ("Score", "성적"),
    "education.courses": ("Courses", "수강 과목"),
    "skills.keywords": ("Keywords", "키워드"),
    # chatbot widget
    "chat.title": ("Ask me anything", "무엇이든 물어보세요"),
    "chat.intro": (
        "A small chatbot answers from this profile and my FAQ.",
        "이 프로필과 FAQ를 바탕으로 작은 챗봇이 답합니다.",
    ),
    "chat.label": ("Your question", "질문"),
    "chat.placeholder": ("e.g. What do you work on these days?", "예: 요즘 어떤 일을 하세요?"),
    "chat.ask": ("Ask", "질문하기"),
    "chat.thinking": ("Thinking…", "생각하는 중…"),
    "chat.unavailable": (
        "The chatbot is unavailable right now.",
        "지금은 챗봇을 사용할 수 없습니다.",
    ),
    "chat.rate_limited": (
        "You are asking quickly; wait a moment and try again.",
        "질문이 너무 잦습니다. 잠시 후 다시 시도하세요.",
    ),
    "chat.not_answered": (
        "I don't know the answer to that yet; the owner will see your question.",
        "아직 답을 모르는 질문입니다. 사이트 주인이 질문을 확인할 거예요.",
    ),
    "chat.empty": ("Type a question first.", "먼저 질문을 입력하세요."),
    "chat.sources": ("Sources", "출처"),
    "chat.suggestions": ("Maybe one of these answers it:", "혹시 이 중에 찾으시는 내용이 있나요?"),
    "chat.you": ("You", "나"),
    "chat.bot": ("Chatbot", "챗봇"),
    "chat.log": ("Conversation", "대화"),
    # message form
    "message.title": ("Send me a message", "메시지 보내기"),
    "message.intro": ("It reaches me on KakaoTalk.", "카카오톡으로 바로 전달됩니다."),
    "message.label": ("Message", "메시지"),
    "message.send": ("Send", "보내기"),
    "message.sending": ("Sending…", "보내는 중…"),
    "message.sent": ("Sent. Thank you!", "보냈습니다. 고마워요!"),
    "message.failed": (
        "The message could not be sent right now; try again later.",
        "지금은 메시지를 보낼 수 없습니다. 나중에 다시 시도하세요.",
    ),
    "message.rate_limited": (
        "You have sent many messages; try again later.",
        "메시지를 너무 많이 보냈습니다. 나중에 다시 시도하세요.",
    ),
    "message.empty": ("Write a message first.", "먼저 메시지를 입력하세요."),
    "message.login_needed": ("Log in to send me a message.", "메시지를 보내려면 로그인하세요."),
    # guestbook
    "guestbook.title": ("Guestbook", "방명록"),
    "guestbook.intro": (
        "Leave a note! Members can write entries, and edit or delete their own.",
        "한마디 남겨 주세요! 회원은 글을 쓰고, 자기 글을 고치거나 지울 수 있습니다.",
    ),
    "guestbook.write_label": ("Your message (at most 500 characters)", "남길 말 (최대 500자)"),
    "guestbook.submit": ("Post", "남기기"),
    "guestbook.login_to_write": (
        "Log in to write in the guestbook.",
        "방명록을 쓰려면 로그인하세요.",
    ),
    "guestbook.empty": (
        "No entries yet. Be the first!",
        "아직 글이 없습니다. 첫 글을 남겨 주세요!",
    ),
    "guestbook.edit": ("Edit", "수정"),
    "guestbook.delete": ("Delete", "삭제"),
    "guestbook.save": ("Save", "저장"),
    "guestbook.cancel": ("Cancel", "취소"),
    "guestbook.edited": ("edited", "수정됨"),
    "guestbook.owner": ("owner", "주인장"),
    "guestbook.confirm_delete": ("Delete this entry?", "이 글을 삭제할까요?"),
    "guestbook.newer": ("Newer", "최신 글"),
    "guestbook.older": ("Older", "이전 글"),
    "guestbook.page_of": ("Page {page} of {pages}", "{pages}쪽 중 {page}쪽"),
    "guestbook.pages": ("Guestbook pages", "방명록 페이지"),
    "guestbook.edit_title": ("Edit your entry", "글 수정"),
    "guestbook.entries": ("Entries", "글 목록"),
    "guestbook.chars_left": ("{count} characters left", "{count}자 남음"),
    "guestbook.entry_by": ("Entry by {name}", "{name} 님의 글"),
    "guestbook.error.entry_empty": ("Write something first.", "먼저 내용을 입력하세요."),
    "guestbook.error.entry_too_long": (
        "An entry can have at most 500 characters.",
        "글은 최대 500자까지 쓸 수 있습니다.",
    ),
    "guestbook.error.entry_invalid": (
        "The entry contains characters that cannot be shown.",
        "글에 표시할 수 없는 문자가 있습니다.",
    ),
    "guestbook.error.too_many_entries": (
        "You have written many entries recently; try again later.",
        "최근에 글을 많이 남겼습니다. 나중에 다시 시도하세요.",
    ),
    # login, signup, logout
    "login.title": ("Log in", "로그인"),
    "login.username": ("Username", "아이디"),
    "login.password": ("Password", "비밀번호"),
    "login.submit": ("Log in", "로그인"),
    "login.no_account": ("No account yet?", "아직 계정이 없나요?"),
    "login.signup_link": ("Sign up", "회원가입"),
    "login.invalid_credentials": (
        "Wrong username or password. After several failed attempts, logging in is paused"
        " for a while.",
        "아이디 또는 비밀번호가 틀렸습니다. 여러 번 틀리면 한동안 로그인할 수 없습니다.",
    ),
    "login.too_many": (
        "Too many attempts. Wait a few minutes and try again.",
        "시도가 너무 많습니다. 몇 분 뒤에 다시 시도하세요.",
    ),
    "login.failed": (
        "Logging in did not work just now; try again in a moment.",
        "지금은 로그인할 수 없습니다. 잠시 후 다시 시도하세요.",
    ),
    "login.otp": ("Code from your authenticator app", "인증 앱의 코드"),
    "login.otp_hint": (
        "6 digits, or one of your recovery codes.",
        "6자리 숫자 또는 복구 코드 중 하나입니다.",
    ),
    "login.otp_required": (
        "Two-step login is on for this account: enter the code from your authenticator app.",
        "이 계정은 2단계 로그인을 사용합니다. 인증 앱의 코드를 입력하세요.",
    ),
    "login.otp_invalid": (
        "That code is wrong or was already used; wait for the next one and try again.",
        "코드가 틀렸거나 이미 사용되었습니다. 다음 코드를 기다렸다가 다시 시도하세요.",
    ),
    "admin.nav.security": ("Security", "보안"),
    "admin.security.title": ("Two-step login", "2단계 로그인"),
    "admin.security.intro": (
        "With two-step login on, logging in needs a code from an authenticator app on your"
        " phone as well as your password.",
        "2단계 로그인을 켜면 로그인할 때 비밀번호와 함께 휴대폰 인증 앱의 코드가 필요합니다.",
    ),
    "admin.security.on": ("Two-step login is on.", "2단계 로그인이 켜져 있습니다."),
    "admin.security.off": ("Two-step login is off.", "2단계 로그인이 꺼져 있습니다."),
    "admin.security.start": ("Set up two-step login", "2단계 로그인 설정"),
    "admin.security.scan": (
        "Scan this code with your authenticator app, then enter the code it shows.",
        "인증 앱으로 이 코드를 스캔한 뒤 앱에 표시되는 코드를 입력하세요.",
    ),
    "admin.security.qr": ("QR code for your authenticator app", "인증 앱용 QR 코드"),
    "admin.security.manual": ("Or type this key:", "또는 이 키를 입력하세요:"),
    "admin.security.code": ("Code", "코드"),
    "admin.security.enable": ("Turn on", "켜기"),
    "admin.security.disable": ("Turn off two-step login", "2단계 로그인 끄기"),
    "admin.security.codes": (
        "Recovery codes: each logs you in once without your phone. Keep them somewhere safe;"
        " they are shown only now.",
        "복구 코드: 휴대폰 없이 한 번씩 로그인할 수 있습니다. 안전한 곳에 보관하세요."
        " 지금만 보여 드립니다.",
    ),
    "admin.security.wrong_code": (
        "That code did not match; enter the newest one from the app.",
        "코드가 맞지 않습니다. 앱의 최신 코드를 입력하세요.",
    ),
    "admin.security.wrong_password_or_code": (
        "The password or the code is wrong.",
        "비밀번호 또는 코드가 틀렸습니다.",
    ),
    "admin.security.failed": (
        "That did not work just now; try again in a moment.",
        "지금은 할 수 없습니다. 잠시 후 다시 시도하세요.",
    ),
    "login.already": ("You are logged in as {name}.", "{name} 님으로 로그인되어 있습니다."),
    "login.continue": ("Continue", "계속하기"),
    "login.working": ("Logging in…", "로그인하는 중…"),
    "signup.title": ("Sign up", "회원가입"),
    "signup.username_hint": (
        "3 to 32 characters: lowercase letters, digits, '.', '_' or '-'.",
        "3~32자: 영문 소문자, 숫자, '.', '_', '-'.",
    ),
    "signup.display_name": ("Display name", "표시 이름"),
    "signup.display_name_hint": (
        "Shown with your guestbook entries; up to 50 characters, any language, emoji welcome.",
        "방명록 글에 함께 표시됩니다. 최대 50자, 어떤 언어든, 이모지도 좋아요.",
    ),
    "signup.password_hint": (
        "At least 15 characters. A few unrelated words make a strong password that is easy"
        " to remember.",
        "15자 이상. 서로 관계없는 단어 몇 개를 이으면 기억하기 쉽고 강한 비밀번호가 됩니다.",
    ),
    "signup.password_confirm": ("Password again", "비밀번호 확인"),
    "signup.mismatch": ("The two passwords differ.", "두 비밀번호가 서로 다릅니다."),
    "signup.submit": ("Create account", "계정 만들기"),
    "signup.working": ("Creating your account…", "계정을 만드는 중…"),
    "signup.have_account": ("Already have an account?", "이미 계정이 있나요?"),
    "signup.login_link": ("Log in", "로그인"),
    "signup.username_taken": (
        "That username is taken; choose another.",
        "이미 쓰이는 아이디입니다. 다른 아이디를 고르세요.",
    ),
    "signup.weak_password": ("That password is too weak.", "비밀번호가 너무 약합니다."),
    "signup.invalid_username": (
        "Use 3 to 32 characters: lowercase letters, digits, '.', '_' or '-', starting with a"
        " letter or digit.",
        "3~32자의 영문 소문자, 숫자, '.', '_', '-'를 쓰고, 영문자나 숫자로 시작하세요.",
    ),
    "signup.invalid_display_name": (
        "The display name needs 1 to 50 characters.",
        "표시 이름은 1~50자여야 합니다.",
    ),
    "signup.too_many": (
        "Too many sign-ups from here; wait a few minutes.",
        "가입 시도가 너무 많습니다. 몇 분 뒤에 다시 시도하세요.",
    ),
    "signup.failed": (
        "Signing up did not work just now; try again in a moment.",
        "지금은 가입할 수 없습니다. 잠시 후 다시 시도하세요.",
    ),
    "form.required": ("Fill in this field.", "이 칸을 채워 주세요."),
    "form.fix_fields": ("Please fix the marked fields.", "표시된 칸을 고쳐 주세요."),
    "logout.title": ("Log out", "로그아웃"),
    "logout.confirm": ("Log out of this site?", "이 사이트에서 로그아웃할까요?"),
    "logout.submit": ("Log out", "로그아웃"),
    "logout.done": ("You are logged out.", "로그아웃했습니다."),
    "logout.failed": (
        "Logging out did not work just now; try again.",
        "지금은 로그아웃할 수 없습니다. 다시 시도하세요.",
    ),
    "logout.not_logged_in": ("You are not logged in.", "로그인한 상태가 아닙니다."),
    # errors
    "error.code": ("Error {status}", "오류 {status}"),
    "error.home": ("Back to the home page", "홈으로 돌아가기"),
    "error.login": ("Log in", "로그인"),
    "error.400.title": ("That request was not understood", "요청을 이해하지 못했습니다"),
    "error.400.text": (
        "Check the address or the form and try again.",
        "주소나 양식을 확인하고 다시 시도하세요.",
    ),
    "error.401.title": ("Please log in", "로그인이 필요합니다"),
    "error.401.text": ("You need to log in to see this page.", "이 페이지를 보려면 로그인하세요."),
    "error.403.title": ("Not allowed", "권한이 없습니다"),
    "error.403.text": (
        "You do not have permission to see this page.",
        "이 페이지를 볼 권한이 없습니다.",
    ),
    "error.404.title": ("Page not found", "페이지를 찾을 수 없습니다"),
    "error.404.text": (
        "The page you asked for does not exist, or it has moved.",
        "요청한 페이지가 없거나 다른 곳으로 옮겨졌습니다.",
    ),
    "error.405.title": ("Not allowed here", "허용되지 않는 요청입니다"),
    "error.405.text": (
        "This address does not take that kind of request.",
        "이 주소는 그런 요청을 받지 않습니다.",
    ),
    "error.413.title": ("Too large", "너무 큽니다"),
    "error.413.text": (
        "What you sent is larger than this site accepts.",
        "보낸 내용이 허용된 크기보다 큽니다.",
    ),
    "error.422.title": ("Please check what you entered", "입력한 내용을 확인하세요"),
    "error.422.text": (
        "Some of what you sent is not valid.",
        "보낸 내용 중 올바르지 않은 것이 있습니다.",
    ),
    "error.429.title": ("Slow down a little", "조금만 천천히"),
    "error.429.text": (
        "There were too many requests from you in a short time. Wait a moment and try again.",
        "짧은 시간에 요청이 너무 많았습니다. 잠시 후 다시 시도하세요.",
    ),
    "error.500.title": ("Something went wrong", "문제가 생겼습니다"),
    "error.500.text": (
        "An error happened on our side. Try again in a moment.",
        "서버에서 오류가 났습니다. 잠시 후 다시 시도하세요.",
    ),
    "error.502.title": ("Temporarily unavailable", "잠시 사용할 수 없습니다"),
    "error.502.text": (
        "Part of the site is not answering right now. Try again soon.",
        "사이트 일부가 지금 응답하지 않습니다. 곧 다시 시도하세요.",
    ),
    "error.503.title": ("Temporarily unavailable", "잠시 사용할 수 없습니다"),
    "error.503.text": (
        "Part of the site is down for a moment. Try again soon.",
        "사이트 일부가 잠시 멈췄습니다. 곧 다시 시도하세요.",
    ),
    "error.504.title": ("Temporarily unavailable", "잠시 사용할 수 없습니다"),
    "error.504.text": (
        "Part of the site took too long to answer. Try again soon.",
        "사이트 일부의 응답이 너무 늦습니다. 곧 다시 시도하세요.",
    ),
    "error.csrf": (
        "This form has expired. Go back, reload the page and try again.",
        "양식이 만료되었습니다. 뒤로 가서 페이지를 새로 고친 뒤 다시 시도하세요.",
    ),
    # admin
    "admin.title": ("Admin", "관리"),
    "admin.sections": ("Admin sections", "관리 메뉴"),
    "admin.nav.profile": ("Profile", "프로필"),
    "admin.nav.chatbot": ("Chatbot", "챗봇"),
    "admin.nav.messages": ("Messages", "메시지"),
    "admin.nav.theme": ("Theme", "테마"),
    "admin.theme.title": ("How your site looks", "사이트 모양"),
    "admin.theme.intro": (
        "Every page, for every visitor, in one of these themes; each works in light and dark"
        " mode and on phones, and prints as a résumé.",
        "모든 페이지가 모든 방문자에게 이 테마 중 하나로 보입니다. 어느 테마든 밝은 모드와 어두운"
        " 모드, 휴대폰에서 잘 보이고, 인쇄하면 이력서가 됩니다.",
    ),
    "admin.theme.legend": ("Theme", "테마"),
    "admin.theme.live": (
        "Choosing a theme shows this page in it at once; visitors see it once you save.",
        "테마를 고르면 이 페이지가 바로 그 테마로 바뀝니다. 방문자에게는 저장한 뒤에 보입니다.",
    ),
    "admin.theme.save": ("Use this theme", "이 테마 쓰기"),
    "admin.theme.full_preview": (
        "See the whole profile in this theme",
        "이 테마로 프로필 전체 보기",
    ),
    "admin.theme.sample": ("Sample of your profile", "프로필 견본"),
    "admin.theme.saved": (
        "Saved: visitors see this theme now.",
        "저장했습니다. 이제 방문자에게 이 테마가 보입니다.",
    ),
    "admin.theme.unsaved": (
        "Not saved yet: visitors still see the theme you saved before.",
        "아직 저장하지 않았습니다. 방문자에게는 전에 저장한 테마가 보입니다.",
    ),
    "theme.clean": ("Clean", "깔끔한"),
    "theme.clean.about": (
        "Sans-serif, airy, with a timeline of your career.",
        "산세리프 글꼴에 여백이 넉넉하고, 경력을 타임라인으로 보여 줍니다.",
    ),
    "theme.classic": ("Classic résumé", "클래식 이력서"),
    "theme.classic.about": (
        "Serif type on paper, like a printed résumé.",
        "종이에 인쇄한 이력서처럼 세리프 글꼴을 씁니다.",
    ),
    "theme.card": ("Bold card", "대담한 카드"),
    "theme.card.about": (
        "Your profile as one bold card on a strong colour.",
        "강한 색 바탕 위에 프로필을 큼직한 카드 한 장으로 보여 줍니다.",
    ),
    "admin.draft.same": (
        "The draft is the same as the published profile.",
        "초안이 게시된 프로필과 같습니다.",
    ),
    "admin.draft.changed": (
        "The draft has changes that are not published yet.",
        "아직 게시하지 않은 변경 사항이 초안에 있습니다.",
    ),
    "admin.save_draft": ("Save draft", "초안 저장"),
    "admin.preview": ("Preview", "미리 보기"),
    "admin.publish": ("Publish", "게시"),
    "admin.discard": ("Discard draft", "초안 버리기"),
    "admin.confirm_discard": (
        "Throw away the draft and go back to the published profile?",
        "초안을 버리고 게시된 프로필로 되돌릴까요?",
    ),
    "admin.saving": ("Saving…", "저장하는 중…"),
    "admin.saved": ("Draft saved.", "초안을 저장했습니다."),
    "admin.published": (
        "Published: visitors see it now.",
        "게시했습니다. 이제 방문자에게 보입니다.",
    ),
    "admin.not_saved": ("Not saved: {message}", "저장하지 못했습니다: {message}"),
    "admin.unsaved": ("You have unsaved changes.", "저장하지 않은 변경 사항이 있습니다."),
    "admin.basics": ("Basics", "기본 정보"),
    "admin.location": ("Location", "위치"),
    "admin.profiles": ("Links and social profiles", "링크와 소셜 프로필"),
    "admin.add_item": ("Add an item", "항목 추가"),
    "admin.move_up": ("Move up", "위로"),
    "admin.move_down": ("Move down", "아래로"),
    "admin.remove_item": ("Remove", "삭제"),
    "admin.new_item": ("New item", "새 항목"),
    "admin.hint.lines": ("One per line", "한 줄에 하나씩"),
    "admin.hint.markdown": ("Markdown allowed", "마크다운 사용 가능"),
    "admin.hint.date": ("YYYY, YYYY-MM or YYYY-MM-DD", "YYYY, YYYY-MM 또는 YYYY-MM-DD"),
    "admin.hint.url": ("A full address: https://…", "전체 주소: https://…"),
    "admin.photo.title": ("Profile photo", "프로필 사진"),
    "admin.photo.hint": (
        "JPEG, PNG or WebP, at most 2 MB. It is published as soon as it is uploaded.",
        "JPEG, PNG, WebP 형식, 최대 2MB. 올리는 즉시 게시됩니다.",
    ),
    "admin.photo.choose": ("Photo file", "사진 파일"),
    "admin.photo.upload": ("Upload photo", "사진 올리기"),
    "admin.photo.remove": ("Remove photo", "사진 삭제"),
    "admin.photo.none": ("No photo yet.", "아직 사진이 없습니다."),
    "admin.photo.current": ("Current profile photo", "현재 프로필 사진"),
    "admin.photo.uploaded": ("Photo updated.", "사진을 바꿨습니다."),
    "admin.photo.removed": ("Photo removed.", "사진을 지웠습니다."),
    "admin.photo.too_big": ("The photo is larger than 2 MB.", "사진이 2MB보다 큽니다."),
    "admin.photo.choose_first": ("Choose a photo file first.", "먼저 사진 파일을 고르세요."),
    "admin.import.title": ("JSON Resume import and export", "JSON Resume 가져오기와 내보내기"),
    "admin.import.hint": (
        "Paste a JSON Resume document to replace the draft; check it in the preview, then publish.",
        "JSON Resume 문서를 붙여 넣으면 초안을 바꿉니다. 미리 보기로 확인한 뒤 게시하세요.",
    ),
    "admin.import.label": ("JSON Resume document", "JSON Resume 문서"),
    "admin.import.button": ("Replace the draft", "초안 바꾸기"),
    "admin.import.invalid_json": ("That is not valid JSON.", "올바른 JSON이 아닙니다."),
    "admin.export.published": ("Published profile (JSON)", "게시된 프로필 (JSON)"),
    "admin.export.draft": ("Draft (JSON)", "초안 (JSON)"),
    "admin.export.published_in": (
        "Published profile in {language} (JSON)",
        "게시된 프로필: {language} (JSON)",
    ),
    "admin.lang.title": ("Profile language", "프로필 언어"),
    "admin.lang.primary": ("{language} (primary)", "{language} (기본)"),
    "admin.lang.translation": ("{language} translation", "{language} 번역"),
    "admin.lang.intro": (
        "You are editing the {language} version. Beside each field is the {primary} text; what"
        " you leave as it is follows the {primary} version (dates and links usually do)."
        " Items are added, moved and removed in the {primary} version.",
        "{language} 버전을 편집하고 있습니다. 각 칸 옆에 {primary} 내용이 있습니다. 그대로 둔"
        " 칸은 {primary} 버전을 따릅니다(날짜와 링크는 보통 그대로 둡니다). 항목 추가, 이동,"
        " 삭제는 {primary} 버전에서 합니다.",
    ),
    "admin.lang.primary_text": ("{language}:", "{language}:"),
    "preview.banner": (
        "Preview of your draft: visitors do not see this yet.",
        "초안 미리 보기: 방문자에게는 아직 보이지 않습니다.",
    ),
    "preview.back": ("Back to editing", "편집으로 돌아가기"),
    # chatbot admin
    "chatadmin.title": ("Chatbot", "챗봇"),
    "chatadmin.faq": ("Frequently asked questions", "자주 묻는 질문"),
    "chatadmin.faq_intro": (
        "The chatbot answers from your profile and from these entries.",
        "챗봇은 프로필과 이 항목들을 바탕으로 답합니다.",
    ),
    "chatadmin.question": ("Question", "질문"),
    "chatadmin.answer": ("Answer", "답변"),
    "chatadmin.add": ("Add to the FAQ", "FAQ에 추가"),
    "chatadmin.save": ("Save", "저장"),
    "chatadmin.delete": ("Delete", "삭제"),
    "chatadmin.confirm_delete": ("Delete this FAQ entry?", "이 FAQ 항목을 삭제할까요?"),
    "chatadmin.empty_faq": ("No FAQ entries yet.", "아직 FAQ 항목이 없습니다."),
    "chatadmin.unanswered": ("Unanswered questions", "답하지 못한 질문"),
    "chatadmin.unanswered_intro": (
        "Questions the chatbot could not answer. Answer one in a new FAQ entry, or show the "
        "chatbot which entry of your profile already answers it.",
        "챗봇이 답하지 못한 질문입니다. 새 FAQ 항목으로 답하거나, 프로필에서 답이 되는 항목을 "
        "챗봇에게 알려 주세요.",
    ),
    "chatadmin.none_unanswered": ("No unanswered questions.", "답하지 못한 질문이 없습니다."),
    "chatadmin.recent": ("Recent answers", "최근 답변"),
    "chatadmin.recent_intro": (
        "What the chatbot answered lately. If an answer is wrong, answer the question in the FAQ"
        " or show the chatbot the entry that answers it.",
        "챗봇이 최근에 한 답변입니다. 답이 틀렸다면 FAQ로 답하거나, 답이 되는 항목을 챗봇에게"
        " 알려 주세요.",
    ),
    "chatadmin.none_recent": ("No answered questions yet.", "아직 답한 질문이 없습니다."),
    "chatadmin.answered_from": ("From: {title}", "출처: {title}"),
    "chatadmin.summary": ("The last 7 days", "최근 7일"),
    "chatadmin.summary_none": (
        "No questions in the last 7 days yet.",
        "최근 7일 동안 받은 질문이 아직 없어요.",
    ),
    "chatadmin.summary_text": (
        "{asked} questions: {answered} answered, {declined} not answered.",
        "질문 {asked}개 중 {answered}개에 답했고 {declined}개에는 답하지 못했어요.",
    ),
    "chatadmin.summary_offered": (
        "{offered} of those came with entries to pick, and a visitor picked one in {picked}"
        " of them.",
        "답하지 못한 질문 중 {offered}개에는 고를 만한 항목을 보여 줬고, 그중 {picked}개에서"
        " 방문자가 하나를 골랐어요.",
    ),
    "chatadmin.visitor_picked": (
        "Picked by the visitor from the suggestions: {title}",
        "방문자가 추천 항목에서 고른 답: {title}",
    ),
    "chatadmin.answer_this": ("Answer in the FAQ", "FAQ로 답하기"),
    "chatadmin.your_answer": ("Your answer", "답변"),
    "chatadmin.dismiss": ("Dismiss", "무시"),
    "chatadmin.asked_at": ("Asked {when}", "{when}에 질문함"),
    "chatadmin.order": ("Order", "정렬"),
    "chatadmin.order_newest": ("Newest first", "최근 질문 순"),
    "chatadmin.order_most_asked": ("Most asked first", "많이 물은 순"),
    "chatadmin.asked_times": (
        "Asked {count} times, last {when}",
        "{count}번 질문함, 마지막 {when}",
    ),
    "chatadmin.saved": ("Saved.", "저장했습니다."),
    "chatadmin.deleted": ("Deleted.", "삭제했습니다."),
    "chatadmin.unavailable": (
        "The chatbot service is unavailable right now.",
        "지금은 챗봇 서비스를 사용할 수 없습니다.",
    ),
    "chatadmin.failed": ("That did not work: {message}", "처리하지 못했습니다: {message}"),
    "chatadmin.loading": ("Loading…", "불러오는 중…"),
    "chatadmin.answer_from_profile": ("Answer from my profile", "프로필로 답하기"),
    "chatadmin.entry_label": ("Entry that answers it", "답이 되는 항목"),
    "chatadmin.choose_entry": ("Choose an entry…", "항목을 고르세요…"),
    "chatadmin.suggested": ("Likely answers", "답일 가능성이 높은 항목"),
    "chatadmin.use_entry": ("Use this entry", "이 항목으로 답하기"),
    "chatadmin.no_entries": (
        "The chatbot has no entries to answer from yet.",
        "챗봇이 답할 수 있는 항목이 아직 없습니다.",
    ),
    "chatadmin.taught": ("Taught answers", "가르친 답"),
    "chatadmin.taught_intro": (
        "Questions you linked to an entry of your profile: the chatbot answers them, and"
        " questions like them, from it.",
        "프로필의 항목과 이어 준 질문입니다. 챗봇은 이 질문과 비슷한 질문에 그 항목으로 답합니다.",
    ),
    "chatadmin.none_taught": ("Nothing taught yet.", "아직 가르친 답이 없습니다."),
    "chatadmin.entry_removed": ("entry removed", "항목이 삭제됨"),
    "chatadmin.forget": ("Forget", "잊기"),
    # entry sections the profile pages have no heading for (section.* covers the rest)
    "chatadmin.section.basics": ("About you", "기본 정보"),
    "chatadmin.section.profiles": ("Profiles online", "온라인 프로필"),
    "chatadmin.section.faq": ("FAQ", "FAQ"),
    # kakao admin
    "kakao.title": ("KakaoTalk messages", "카카오톡 메시지"),
    "kakao.connection": ("Connection", "연결 상태"),
    "kakao.connected": ("Connected", "연결됨"),
    "kakao.not_connected": ("Not connected", "연결 안 됨"),
    "kakao.needs_reconnect": (
        "The connection needs renewing: connect again.",
        "연결을 새로 해야 합니다. 다시 연결하세요.",
    ),
    "kakao.connect": ("Connect KakaoTalk", "카카오톡 연결하기"),
    "kakao.disconnect": ("Disconnect", "연결 끊기"),
    "kakao.confirm_disconnect": (
        "Disconnect KakaoTalk? Messages will not reach you until you connect again.",
        "카카오톡 연결을 끊을까요? 다시 연결할 때까지 메시지가 전달되지 않습니다.",
    ),
    "kakao.access_expires": ("Access token expires", "액세스 토큰 만료"),
    "kakao.refresh_expires": ("Refresh token expires", "리프레시 토큰 만료"),
    "kakao.last_refresh": ("Last refreshed", "마지막 갱신"),
    "kakao.last_error": ("Last error", "마지막 오류"),
    "kakao.unavailable": (
        "The messaging service is unavailable right now.",
        "지금은 메시지 서비스를 사용할 수 없습니다.",
    ),
    "kakao.messages": ("Recent messages", "최근 메시지"),
    "kakao.counts": ("Messages", "메시지 수"),
    "kakao.not_configured": (
        "KakaoTalk is not configured on this server (no app key), so it cannot be connected.",
        "이 서버에는 카카오톡 앱 키가 설정되지 않아 연결할 수 없습니다.",
    ),
    "kakao.no_messages": ("No messages yet.", "아직 메시지가 없습니다."),
    "kakao.open": ("Read", "읽기"),
    "kakao.loading": ("Loading…", "불러오는 중…"),
    "kakao.notify.title": ("Notifications on KakaoTalk", "카카오톡 알림"),
    "kakao.notify.intro": (
        "A KakaoTalk message to you when something happens on your site.",
        "사이트에 일이 생기면 카카오톡 메시지로 알려 드립니다.",
    ),
    "kakao.notify.legend": ("Tell me about", "알림 받을 일"),
    "kakao.notify.guestbook_entry": ("A new guestbook entry", "방명록 새 글"),
    "kakao.notify.declined_question": (
        "A question the chatbot could not answer (with the question)",
        "챗봇이 답하지 못한 질문 (질문과 함께)",
    ),
    "kakao.notify.digest": ("Digest: gather them up", "모아 받기"),
    "kakao.notify.digest_about": (
        "At most one message of each kind every {minutes} minutes, summarising what happened"
        " meanwhile. Either way no more than {limit} notifications a day; beyond that they"
        " wait and come together.",
        "종류마다 {minutes}분에 한 번만, 그동안 있었던 일을 모아서 보냅니다. 어느 쪽이든 하루에"
        " {limit}개를 넘지 않고, 넘으면 기다렸다가 한꺼번에 보냅니다.",
    ),
    "kakao.notify.why.not_configured": (
        "No notification arrives: KakaoTalk is not configured on this server (no app key).",
        "알림이 오지 않습니다. 이 서버에 카카오톡 앱 키가 설정되지 않았습니다.",
    ),
    "kakao.notify.why.not_connected": (
        "No notification arrives until you connect KakaoTalk above; what happens meanwhile"
        " waits and comes as one summary.",
        "위에서 카카오톡을 연결해야 알림이 옵니다. 그동안 있었던 일은 기다렸다가 한 번에"
        " 모아서 보냅니다.",
    ),
    "kakao.notify.why.reconnect_required": (
        "No notification arrives: the KakaoTalk connection needs renewing. Connect again above;"
        " what happens meanwhile waits.",
        "알림이 오지 않습니다. 카카오톡 연결을 새로 해야 합니다. 위에서 다시 연결하세요."
        " 그동안 있었던 일은 기다립니다.",
    ),
    "kakao.notify.pending": ("Waiting to be sent: {count}", "보내기를 기다리는 알림: {count}건"),
    "kakao.notify.saved": ("Saved.", "저장했습니다."),
    "kakao.notify.kind.guestbook_entry": ("Notification: guestbook", "알림: 방명록"),
    "kakao.notify.kind.declined_question": (
        "Notification: unanswered questions",
        "알림: 답하지 못한 질문",
    ),
    "kakao.failed": ("That did not work: {message}", "처리하지 못했습니다: {message}"),
    "msgpage.title": ("Message", "메시지"),
    "msgpage.from": ("From", "보낸 사람"),
    "msgpage.sent_at": ("Sent", "보낸 시각"),
    "msgpage.status": ("Delivery", "전달 상태"),
    "msgpage.not_found": ("That message does not exist.", "그런 메시지가 없습니다."),
    "msgpage.back": ("Back to messages", "메시지 목록으로"),
    "msgpage.retry": ("Send again", "다시 보내기"),
    # field labels of the profile editor: field.<section>.<key>, else field.<key>
    "field.name": ("Name", "이름"),
    "field.label": ("Headline", "한 줄 소개"),
    "field.email": ("Email", "이메일"),
    "field.phone": ("Phone", "전화"),
    "field.url": ("Web address", "웹 주소"),
    "field.summary": ("Summary", "요약"),
    "field.basics.summary": ("About you", "자기소개"),
    "field.basics.url": ("Website", "웹사이트"),
    "field.address": ("Address", "주소"),
    "field.postalCode": ("Postal code", "우편번호"),
    "field.city": ("City", "도시"),
    "field.region": ("Region", "지역"),
    "field.countryCode": ("Country code (e.g. KR)", "국가 코드 (예: KR)"),
    "field.network": ("Network", "서비스"),
    "field.username": ("Username", "사용자 이름"),
    "field.position": ("Position", "직책"),
    "field.location": ("Location", "위치"),
    "field.description": ("Description", "설명"),
    "field.startDate": ("Start date", "시작일"),
    "field.endDate": ("End date (empty: now)", "종료일 (비우면 현재)"),
    "field.highlights": ("Highlights", "주요 성과"),
    "field.keywords": ("Keywords", "키워드"),
    "field.projects.keywords": ("Tags", "태그"),
    "field.roles": ("Roles", "역할"),
    "field.entity": ("Organisation", "소속"),
    "field.type": ("Type", "유형"),
    "field.institution": ("Institution", "학교"),
    "field.area": ("Field of study", "전공"),
    "field.studyType": ("Degree", "학위"),
    "field.score": ("Score", "성적"),
    "field.courses": ("Courses", "수강 과목"),
    "field.organization": ("Organisation", "단체"),
    "field.title": ("Title", "제목"),
    "field.awarder": ("Awarded by", "수여 기관"),
    "field.date": ("Date", "날짜"),
    "field.issuer": ("Issuer", "발급 기관"),
    "field.publisher": ("Publisher", "출판사"),
    "field.releaseDate": ("Release date", "발행일"),
    "field.language": ("Language", "언어"),
    "field.fluency": ("Fluency", "수준"),
    "field.level": ("Level", "수준"),
    "field.reference": ("Reference", "추천 내용"),
    "field.work.name": ("Company", "회사"),
    "field.projects.name": ("Project", "프로젝트"),
    "field.skills.name": ("Skill", "기술"),
    "field.certificates.name": ("Certificate", "자격증"),
    "field.publications.name": ("Title", "제목"),
    "field.interests.name": ("Interest", "관심사"),
}

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def translate(language: Language, key: str, /, **values: object) -> str:
    texts = MESSAGES.get(key)
    if texts is None:
        return key
    text = texts[1] if language == "ko" else texts[0]
    return text.format(**values) if values else text


def translator(language: Language) -> Translate:
    def t(key: str, /, **values: object) -> str:
        return translate(language, key, **values)

    return t


def field_label(language: Language, section: str, key: str) -> str:
    specific = f"field.{section}.{key}"
    if specific in MESSAGES:
        return translate(language, specific)
    return translate(language, f"field.{key}") if f"field.{key}" in MESSAGES else key


def strings_for(language: Language, prefixes: Iterable[str]) -> dict[str, str]:
    """The interface texts a page's script needs, handed to it as a JSON data block."""
    wanted = tuple(prefixes)
    return {key: translate(language, key) for key in MESSAGES if key.startswith(wanted)}


def as_language(value: str | None) -> Language | None:
    if value == "ko":
        return "ko"
    if value == "en":
        return "en"
    return None


def from_accept_language(header: str) -> Language | None:
    """The first of ko/en in the visitor's preference order (q-values honoured)."""
    choices: list[tuple[float, int, Language]] = []
    for position, part in enumerate(header.split(",")[:20]):
        tag, _, parameters = part.strip().partition(";")
        quality = 1.0
        parameters = parameters.strip()
        if parameters.startswith("q="):
            try:
                quality = float(parameters[2:])
            except ValueError:
                quality = 0.0
        language = as_language(tag.strip().lower().split("-")[0])
        if language and quality > 0:
            choices.append((-quality, position, language))
    return min(choices)[2] if choices else None


def negotiate(cookie: str | None, accept_language: str | None, default: Language) -> Language:
    return as_language(cookie) or from_accept_language(accept_language or "") or default


def other_language(language: Language) -> Language:
    return "en" if language == "ko" else "ko"


def format_date(value: object, language: Language) -> str:
    """JSON Resume dates (YYYY, YYYY-MM, YYYY-MM-DD) in the interface's language."""
    if not isinstance(value, str):
        return ""
    parts = value.split("-")
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        return value
    if len(numbers) == 1:
        return f"{numbers[0]}년" if language == "ko" else str(numbers[0])
    year, month = numbers[0], numbers[1]
    if not 1 <= month <= 12:
        return value
    if len(numbers) == 2:
        return f"{year}년 {month}월" if language == "ko" else f"{MONTHS_EN[month - 1]} {year}"
    day = numbers[2]
    if language == "ko":
        return f"{year}년 {month}월 {day}일"
    return f"{MONTHS_EN[month - 1]} {day}, {year}"


def format_period(start: object, end: object, language: Language) -> str:
    begin = format_date(start, language)
    finish = format_date(end, language) if end else translate(language, "date.present")
    if not begin:
        return format_date(end, language) if end else ""
    return f"{begin} – {finish}"
