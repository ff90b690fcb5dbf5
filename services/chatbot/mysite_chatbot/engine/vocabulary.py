"""Bilingual vocabulary: Korean and English words for the same concept.

Each concept maps to the words (and short phrases) visitors and profiles use for it,
in both languages. Query and profile text are analysed with the same tokenizer, so a
term written here is matched in whatever form the analyser produces: English terms are
stemmed, Korean terms are reduced to Kiwi morphemes (write verbs in dictionary form,
e.g. "다니다"). A matched term adds its concept ids to the token, which is how
"경력" finds a work entry written in English and "freelance" finds a Korean FAQ.

Keep concepts about *what is asked* (work, contact, hobby) and *named things*
(Kubernetes, Python). Do not add words for one particular profile or question.
"""

from __future__ import annotations

# Concept id -> terms. Ids starting with "tech." are technologies; the skill template
# uses that to say "Yes, I use Kubernetes" when a question names one.
CONCEPTS: dict[str, tuple[str, ...]] = {
    # --- what the visitor asks about -------------------------------------------------
    "work": (
        "day job", "employed", "work at", "work for", "직장 생활", "회사 생활", "근무처", "일하는 곳", "하는 일", "현직",
        "work", "job", "employer", "employ", "employment", "company", "firm", "workplace", "office",
        "career", "occupation", "profession", "position", "role", "title", "job title", "working",
        "for a living", "make a living", "studio", "game studio", "game company", "work experience",
        "work history",
        "직장", "회사", "직업", "근무", "재직", "일", "일하다", "회사 다니다", "경력", "커리어", "소속", "직무",
        "직책", "직함", "포지션", "업무", "회사원", "직장인", "근무지", "일터",
    ),
    "career_overview": (
        "career", "work history", "work experience", "employment history", "resume", "cv",
        "background", "경력", "이력", "이력서", "커리어",
    ),
    # "Have you had experience with X": says little on its own, X carries the question.
    "experience": ("experience", "experienced", "경험", "해보다"),
    "employer": ("company", "employer", "firm", "workplace", "organisation", "organization", "회사", "직장", "근무지", "일터", "회사 다니다"),
    "joining": ("join", "joined", "joining", "hired", "onboard", "합류", "입사", "합류하다", "입사하다"),
    "current": (
        "still", "at present", "for now", "지금은",
        "current", "currently", "now", "present", "nowadays", "these days", "today", "at the moment",
        "right now", "presently", "latest", "현재", "지금", "요즘", "요새", "최근", "현",
    ),
    "past": (
        "ex", "전 회사", "이전 회사", "원래",
        "previous", "previously", "before", "former", "formerly", "past", "earlier", "prior", "used to",
        "last job", "이전", "전", "예전", "과거", "전직", "그전", "옛날",
    ),
    # The job just before the current one ("your previous job", "전 직장").
    "previous": (
        "전 회사", "이전 회사", "직전 회사","previous", "previously", "before", "prior", "last job", "이전", "전", "전직", "그전", "직전"),
    "first": ("first", "very first", "earliest", "start career", "처음", "첫", "최초", "첫번째"),
    "intern": ("intern", "internship", "trainee", "인턴", "인턴십", "실습"),
    "lead": (
        "head of", "in charge", "direct report", "people manager", "이끌다", "리딩",
        "lead", "leader", "leading", "manage", "manager", "management", "head", "tech lead",
        "team lead", "supervise", "리드", "리더", "팀장", "매니저", "관리", "이끌다", "책임자", "테크리드",
    ),
    "team": (
        "how big", "how many people", "team size", "몇 명", "규모", "인원","team", "teammate", "colleague", "coworker", "팀", "팀원", "동료"),
    "mentor": (
        "mentee", "guidance", "career advice", "coffee chat", "커피챗", "상담",
        "mentor", "mentoring", "mentorship", "coach", "coaching", "teach", "teaching", "tutor",
        "guide", "advice", "advise", "멘토", "멘토링", "멘티", "코칭", "가르치다", "조언", "지도",
    ),
    "junior": ("junior", "newbie", "beginner", "new developer", "entry level", "주니어", "신입", "초보", "입문자"),
    "student": (
        "student", "kid", "child", "teen", "teenager", "high school", "학생", "고등학생", "청소년",
        "아이", "아이들", "중학생",
    ),
    "achievement": (
        "achievement", "accomplishment", "proud", "impact", "result", "highlight", "success",
        "biggest", "proudest", "greatest", "성과", "업적", "성취", "자랑", "결과",
    ),
    "years": (
        "year", "years of experience", "how long", "how many year", "seniority", "senior",
        "년", "연차", "년차", "몇 년", "햇수", "시니어",
    ),
    "education": (
        "attend", "attended", "went to school", "alumni", "university degree", "학번", "재학", "입학", "대학 어디",
        "education", "school", "university", "college", "degree", "academic", "alma mater", "campus",
        "graduate", "graduated", "graduation", "bachelor", "master", "phd", "diploma", "uni",
        "학교", "대학", "대학교", "대학원", "학력", "졸업", "학위", "학사", "석사", "박사", "학부",
        "모교", "출신 학교", "나오다",
    ),
    "major": (
        "major", "study", "field of study", "studied", "area", "course", "subject", "computer science",
        "전공", "공부", "학과", "전공과목", "컴공", "컴퓨터공학", "컴퓨터 공학", "수업", "과목",
    ),
    "grade": ("gpa", "grade", "score", "grades", "학점", "성적", "평점"),
    "abroad": (
        "abroad", "overseas", "exchange", "exchange student", "foreign country", "international",
        "해외", "교환", "교환학생", "유학", "외국", "어학연수",
    ),
    "skill": (
        "good with", "expert", "expertise in", "strong in", "잘 알다", "익숙", "전문", "전문 분야", "주력",
        "skill", "skills", "skillset", "expertise", "proficient", "proficiency", "competent", "strength",
        "good at", "familiar", "capable", "know how", "able", "comfortable", "confident",
        "기술", "역량", "능력", "실력", "잘하다", "잘", "다루다", "능숙", "자신", "강점", "특기", "할 줄 알다",
    ),
    "use": (
        "use", "using", "used", "work with", "experience with", "hands-on",
        "쓰다", "사용", "써보다", "활용", "다뤄보다",
    ),
    "tech_stack": (
        "stack", "tech stack", "technology", "technologies", "tech", "toolset", "toolbox",
        "스택", "기술 스택", "기술스택", "테크", "테크 스택",
    ),
    "programming": (
        "programming", "program", "code", "coding", "coder", "developer", "develop", "development",
        "software", "engineering", "engineer", "programmer", "hack", "programming language",
        "프로그래밍", "코딩", "코드", "개발", "개발자", "엔지니어", "소프트웨어", "짜다", "프로그래머",
    ),
    "programming_language": (
        "programming language", "coding language", "language", "languages",
        "언어", "프로그래밍 언어", "개발 언어", "개발언어",
    ),
    "spoken_language": (
        "어학", "언어 능력", "toeic", "토익", "jlpt",
        "speak", "spoken", "fluent", "fluency", "native", "foreign language", "bilingual", "multilingual",
        "mother tongue", "first language", "language", "conversation", "conversational", "proficiency",
        "level",
        "말하다", "구사", "외국어", "모국어", "원어민", "회화", "유창", "언어", "네이티브",
        "몇 개 국어", "통역",
    ),
    "lang.korean": ("korean", "korean language", "한국어", "한국말", "국어"),
    "lang.english": ("english", "영어", "영어 회화"),
    "lang.japanese": ("japanese", "일본어", "일어", "니혼고"),
    "lang.chinese": ("chinese", "mandarin", "중국어"),
    "frontend": (
        "frontend", "front-end", "front end", "ui", "user interface", "web design", "client side",
        "프론트엔드", "프런트엔드", "프론트", "화면", "퍼블리싱", "웹 화면",
    ),
    "backend": (
        "backend", "back-end", "back end", "server", "server side", "api", "apis",
        "백엔드", "서버", "서버 개발", "백엔드 개발",
    ),
    "infrastructure": (
        "infrastructure", "infra", "devops", "sre", "platform", "ops", "operations", "deployment",
        "인프라", "데브옵스", "플랫폼", "운영", "배포",
    ),
    "cloud": ("cloud", "cloud platform", "클라우드", "퍼블릭 클라우드"),
    "database": (
        "database", "databases", "db", "sql", "rdbms", "data store", "storage",
        "데이터베이스", "디비", "DB", "저장소",
    ),
    "data": ("data", "analytics", "data pipeline", "etl", "데이터", "분석", "파이프라인"),
    "queue": (
        "message queue", "queue", "streaming", "event streaming", "pub/sub", "messaging",
        "메시지 큐", "큐", "스트리밍", "메시징",
    ),
    "microservices": ("microservice", "microservices", "msa", "monolith", "마이크로서비스", "모놀리스", "모놀리식"),
    "payments": (
        "payment", "payments", "fintech", "settlement", "transaction", "billing",
        "결제", "정산", "핀테크", "금융", "거래", "페이",
    ),
    "game": ("game", "gaming", "game studio", "game company", "게임", "게임사", "게임 회사"),
    "startup": ("startup", "start-up", "early stage", "스타트업", "창업"),
    "mobility": ("mobility", "scooter", "e-scooter", "kickboard", "ride sharing", "모빌리티", "킥보드", "전동 킥보드"),
    "sharing": ("sharing", "shared", "공유"),
    "practice": (
        "practice", "practices", "process", "methodology", "best practice", "quality",
        "방법론", "프로세스", "품질", "문화",
    ),
    "testing": ("test", "testing", "tdd", "test-driven", "unit test", "테스트", "테스트 주도", "단위 테스트"),
    "code_review": ("code review", "review", "pr review", "코드 리뷰", "리뷰", "코드리뷰"),
    "incident": (
        "incident", "outage", "on-call", "oncall", "postmortem", "failure", "downtime", "reliability",
        "장애", "장애 대응", "온콜", "포스트모템", "사고", "안정성",
    ),
    "performance": ("performance", "latency", "speed", "optimize", "optimization", "faster", "성능", "지연", "최적화", "속도"),
    "cost": ("cost", "costs", "saving", "budget", "finops", "비용", "절감", "요금"),
    "migration": ("migration", "migrate", "move", "moving", "transition", "마이그레이션", "이전하다", "전환", "이관"),
    "certificate": (
        "credentials", "accreditation", "certified in", "보유 자격",
        "certificate", "certification", "certified", "cert", "license", "licence", "credential",
        "qualification", "exam", "자격증", "자격", "인증", "취득", "라이선스", "면허", "시험", "따다",
    ),
    "award": (
        "accolade", "honors", "수상 내역", "수상 이력", "상을 타다", "타다",
        "award", "prize", "win", "winner", "honor", "honour", "recognition", "recognized", "trophy",
        "competition", "contest", "수상", "상", "상장", "대상", "우승", "입상", "표창", "시상", "대회",
    ),
    "hackathon": ("hackathon", "hack day", "해커톤", "공모전"),
    "publication": (
        "write-up", "wrote about", "기고문", "발표 자료",
        "publication", "publish", "published", "paper", "article", "post", "writing", "write", "author",
        "book", "essay", "논문", "출판", "기고", "글", "아티클", "책", "저서", "글 쓰다", "포스팅",
    ),
    "talk": (
        "conference talk", "talks", "강연자", "연사", "발표 자료",
        "talk", "speak", "speaker", "speaking", "presentation", "present", "conference", "meetup",
        "keynote", "lecture", "session", "seminar", "발표", "강연", "컨퍼런스", "콘퍼런스", "밋업",
        "세미나", "강의", "연사", "발표자", "행사", "모임",
    ),
    "project": (
        "pet project", "hobby project", "things you built", "토이 프로젝트", "개인 프로젝트", "작업물", "만든 것",
        "project", "projects", "side project", "portfolio", "build", "built", "make", "made", "create",
        "created", "creation", "open source", "open-source", "oss", "library", "package", "tool",
        "app", "application", "plugin", "bot", "work on", "working on",
        "프로젝트", "포트폴리오", "만들다", "사이드 프로젝트", "토이 프로젝트", "오픈소스", "라이브러리",
        "패키지", "도구", "툴", "앱", "플러그인", "봇", "작품", "결과물",
    ),
    "open_source": ("open source", "open-source", "oss", "github star", "contributor", "오픈소스", "오픈 소스", "기여"),
    "volunteer": (
        "volunteer", "volunteering", "charity", "nonprofit", "non-profit", "community service",
        "give back", "community", "봉사", "자원봉사", "봉사활동", "재능기부", "비영리", "커뮤니티",
    ),
    "hobby": (
        "do for fun", "unwind", "relax", "pastimes", "취미 생활", "시간 날 때", "쉴 때",
        "hobby", "hobbies", "interest", "interests", "free time", "spare time", "pastime", "leisure",
        "fun", "enjoy", "weekend", "weekends", "outside work", "after work", "day off",
        "취미", "관심사", "여가", "여가 시간", "주말", "쉬는 날", "쉬다", "즐기다", "좋아하다", "노는 날",
        "퇴근 후", "일 외", "휴일", "관심",
    ),
    "weekend": ("weekend", "weekends", "saturday", "sunday", "day off", "days off", "주말", "토요일", "일요일", "쉬는 날"),
    "sport": ("sport", "sports", "exercise", "workout", "climb", "climbing", "bouldering", "운동", "클라이밍", "볼더링", "등산"),
    "photography": ("photography", "photo", "photos", "camera", "picture", "film camera", "사진", "카메라", "필름", "촬영", "필름 카메라"),
    "board_game": ("board game", "boardgame", "tabletop", "보드게임", "보드 게임"),
    "coffee": ("coffee", "espresso", "latte", "caffeine", "cafe", "커피", "카페", "핸드드립", "에스프레소", "라떼"),
    "military": ("military", "army", "military service", "conscription", "enlist", "군대", "병역", "군 복무", "복무", "입대", "전역", "육군", "군"),
    "learning": (
        "learn", "learning", "studying", "self-study", "currently learning", "picking up",
        "배우다", "공부", "학습", "스터디", "독학", "익히다",
    ),
    "freelance": (
        "take on", "side gig", "consult", "hire you", "work with you", "collaborate", "collaboration", "협업", "같이 일하다", "함께 일하다", "일 맡기다", "프로젝트 의뢰",
        "freelance", "freelancer", "freelancing", "contract", "contractor", "contract work", "side job",
        "side gig", "gig", "consulting", "consultant", "outsourcing", "outsource", "moonlighting",
        "commission", "part-time", "part time", "hire for", "on the side", "side work",
        "프리랜서", "프리랜스", "외주", "계약", "부업", "사이드잡", "컨설팅", "의뢰", "맡기다", "아르바이트", "알바",
        "용역", "파트타임", "투잡",
    ),
    "job_search": (
        "open to work", "looking for opportunities", "new role", "new position", "job change", "career change", "switch jobs", "interview", "면접", "포지션 제안",
        "new job", "job offer", "offer", "opportunity", "opportunities", "hire", "hiring", "recruit",
        "recruiter", "recruiting", "job hunting", "looking for a job", "open to", "change jobs", "join us",
        "headhunt", "position open",
        "이직", "채용", "제안", "오퍼", "구직", "스카우트", "영입", "헤드헌팅", "입사", "새 직장", "옮기다",
    ),
    "remote": (
        "onsite", "on-site", "in person", "overseas", "move to", "출근", "사무실",
        "remote", "remotely", "work from home", "wfh", "hybrid", "relocate", "relocation", "move abroad",
        "distributed team", "원격", "재택", "재택근무", "리모트", "하이브리드", "이주", "이사",
    ),
    "availability": ("available", "availability", "possible", "able to", "가능", "가능하다", "여유", "시간"),
    "response_time": (
        "get back to me", "how soon", "reply quickly", "답변 속도", "빨리 답하다", "언제 답하다",
        "reply", "respond", "response", "answer back", "get back", "how quickly", "how fast", "turnaround",
        "answer", "how long", "답장", "답신", "회신", "응답", "답하다", "연락이 오다", "걸리다",
    ),
    "contact": (
        "reach out", "get hold of", "drop a line", "email you", "write to you", "message you", "연락드리다", "메일 보내다", "문의하다",
        "contact", "reach", "get in touch", "touch", "message", "dm", "ping", "talk to", "connect",
        "contact info", "contact details", "way to contact",
        "연락", "연락처", "문의", "메시지", "쪽지", "연락하다", "컨택", "연락 방법", "소통",
    ),
    "email": (
        "email", "e-mail", "mail", "email address", "inbox", "메일", "이메일", "전자우편", "메일 주소", "이메일 주소",
    ),
    "phone": (
        "phone", "phone number", "call", "cell", "cellphone", "telephone", "number",
        "전화", "전화번호", "휴대폰", "핸드폰", "폰", "번호", "휴대전화", "통화",
    ),
    "kakaotalk": (
        "kakaotalk", "kakao talk", "kakao", "katalk", "kakao open chat", "open chat",
        "카카오톡", "카톡", "카카오", "오픈채팅", "오픈 채팅", "오픈톡", "톡",
    ),
    "github": (
        "github", "git hub", "repository", "repo", "repos", "source code", "code sample", "your code",
        "깃허브", "깃헙", "깃", "레포", "저장소", "소스 코드", "소스코드",
    ),
    "linkedin": ("linkedin", "링크드인", "링크드 인"),
    "blog": ("blog", "blog post", "velog", "tistory", "medium", "블로그", "기술 블로그", "벨로그", "티스토리", "포스팅"),
    "social": ("sns", "social media", "social", "twitter", "instagram", "x.com", "소셜", "인스타", "인스타그램", "트위터"),
    "handle": ("id", "username", "user name", "handle", "account", "아이디", "계정", "닉네임"),
    "website": (
        "website", "web site", "site", "homepage", "home page", "url", "personal site", "web page",
        "웹사이트", "사이트", "홈페이지", "웹페이지", "주소", "페이지",
    ),
    "this_site": (
        "built this site", "this blog", "이 블로그","this site", "this website", "this page", "이 사이트", "이 웹사이트", "이 페이지", "이 홈페이지"),
    "location": (
        "based in", "live in", "which city", "거주지", "어디 살다",
        "live", "based", "location", "located", "city", "country", "reside", "residence",
        "region", "town", "where are you from",
        "살다", "사다", "거주", "지역", "위치", "도시", "사는 곳", "동네", "나라",
    ),
    # "Where"/"어디" asks for a place: where I live, work or studied.
    "where": ("where", "어디", "어디서", "어느 곳"),
    "hometown": ("hometown", "home town", "born", "birthplace", "grew up", "고향", "출생", "태어나다", "출신"),
    "name": (
        "korean name", "english name", "한국 이름", "영어 이름","name", "called", "full name", "who are you", "who is this", "이름", "성함", "누구", "성명", "호칭"),
    "about": (
        "introduce yourself", "describe yourself", "tell me about you", "본인 소개",
        "yourself", "introduce", "introduction", "bio", "biography", "background", "summary",
        "profile", "who are you", "what kind of", "personality",
        "소개", "자기소개", "자기 소개", "어떤 사람", "배경", "프로필", "요약", "어떤 분", "어떤 개발자",
        "어떤 엔지니어", "what kind of developer", "what kind of engineer",
    ),
    "favorite": (
        "main language", "primary language", "go-to", "주력 언어", "메인 언어", "주 언어", "주로 쓰다","favorite", "favourite", "prefer", "preferred", "like most", "best", "most", "제일", "가장", "최애", "선호", "좋아하다"),
    "when": ("when", "date", "since", "until", "언제", "날짜", "기간", "부터", "까지"),
    # --- named places ---------------------------------------------------------------
    "place.seoul": ("seoul", "서울"),
    "place.korea": ("korea", "south korea", "kr", "한국", "대한민국", "국내"),
    "place.canada": ("canada", "toronto", "캐나다", "토론토"),
    "place.japan": ("japan", "tokyo", "일본", "도쿄"),
    "place.usa": ("usa", "united states", "america", "us", "미국", "실리콘밸리"),
    # --- personal topics profiles rarely cover; mapped so an FAQ about them is found --
    "age": ("age", "old", "how old", "birthday", "birth year", "나이", "생일", "몇 살", "연세", "생년"),
    "family": (
        "married", "marriage", "wife", "husband", "spouse", "kid", "children", "girlfriend", "boyfriend",
        "family", "parent", "결혼", "기혼", "아내", "남편", "배우자", "자녀", "아이", "여자친구", "남자친구",
        "가족", "부모님", "애인",
    ),
    "salary": ("salary", "paycheck", "income", "compensation", "wage", "earn", "연봉", "월급", "급여", "수입", "보수"),
    "pet": ("pet", "pets", "dog", "cat", "puppy", "반려동물", "강아지", "고양이", "애완동물"),
    "movie": ("movie", "movies", "film director", "cinema", "tv show", "drama", "series", "netflix", "영화", "드라마", "넷플릭스", "예능"),
    "music": ("music", "song", "songs", "singer", "band", "concert", "음악", "노래", "가수", "밴드", "콘서트"),
    "food": ("food", "dish", "restaurant", "cuisine", "eat", "meal", "음식", "요리", "맛집", "식당", "먹다", "메뉴"),
    "team_sports": ("football", "soccer", "baseball", "basketball", "축구", "야구", "농구", "응원"),
    "weather": ("weather", "temperature", "rain", "날씨", "기온", "비", "일기예보"),
    "religion": ("religion", "religious", "god", "church", "faith", "종교", "교회", "신앙"),
    "politics": ("politics", "political", "party", "vote", "election", "정치", "정당", "투표", "선거", "정치 성향"),
    "personality_test": ("mbti", "personality type", "blood type", "혈액형", "성격 유형"),
    "body": ("height", "tall", "weight", "shoe size", "키", "몸무게", "체중", "신발 사이즈"),
    "car": ("car", "drive", "driving", "driver license", "driver's license", "자동차", "운전", "운전면허"),
    "habit": ("smoke", "smoking", "drink", "alcohol", "beer", "담배", "흡연", "술", "음주"),
    "money": ("net worth", "money", "stock", "stocks", "invest", "investment", "crypto", "lottery", "재산", "주식", "투자", "코인", "로또"),
    # --- technologies -----------------------------------------------------------------
    "tech.kubernetes": ("kubernetes", "k8s", "kube", "kubectl", "eks", "gke", "aks", "쿠버네티스", "쿠버", "케이팔에스"),
    "tech.docker": ("docker", "container", "containers", "containerization", "도커", "컨테이너"),
    "tech.python": ("python", "py", "파이썬", "파이선"),
    "tech.go": ("golang", "go lang", "go language", "고랭", "고언어", "고 언어", "go언어"),
    "tech.java": ("java", "jvm", "자바"),
    "tech.javascript": ("javascript", "js", "node.js", "nodejs", "자바스크립트", "노드js"),
    "tech.typescript": ("typescript", "ts", "타입스크립트"),
    "tech.rust": ("rust", "러스트"),
    "tech.cpp": ("c++", "cpp", "씨쁠쁠"),
    "tech.kotlin": ("kotlin", "코틀린"),
    "tech.swift": ("swift", "스위프트"),
    "tech.sql": ("sql", "에스큐엘"),
    "tech.react": ("react", "react.js", "reactjs", "리액트"),
    "tech.nextjs": ("next.js", "nextjs", "넥스트"),
    "tech.vue": ("vue", "vue.js", "뷰"),
    "tech.html": ("html", "css", "html/css", "마크업"),
    "tech.aws": ("aws", "amazon web services", "amazon", "ec2", "s3", "아마존", "에이더블유에스"),
    "tech.gcp": ("gcp", "google cloud", "bigquery", "구글 클라우드", "빅쿼리"),
    "tech.azure": ("azure", "애저"),
    "tech.terraform": ("terraform", "iac", "infrastructure as code", "테라폼"),
    "tech.postgres": ("postgresql", "postgres", "psql", "postgis", "포스트그레스", "포스트그레스큐엘", "포스트그레"),
    "tech.mysql": ("mysql", "mariadb", "마이에스큐엘"),
    "tech.redis": ("redis", "레디스"),
    "tech.kafka": ("kafka", "카프카"),
    "tech.airflow": ("airflow", "에어플로우", "에어플로"),
    "tech.grpc": ("grpc", "protobuf", "지알피씨"),
    "tech.rest": ("rest", "rest api", "restful", "레스트"),
    "tech.django": ("django", "장고"),
    "tech.fastapi": ("fastapi", "fast api", "패스트api", "패스트에이피아이"),
    "tech.flask": ("flask", "플라스크"),
    "tech.spring": ("spring", "spring boot", "스프링"),
    "tech.prometheus": ("prometheus", "monitoring", "observability", "프로메테우스", "모니터링"),
    "tech.grafana": ("grafana", "dashboard", "그라파나", "대시보드"),
    "tech.argocd": ("argo cd", "argocd", "argo", "gitops", "아르고"),
    "tech.linux": ("linux", "unix", "리눅스"),
    "tech.git": ("git", "version control", "버전 관리"),
    "tech.ml": (
        "machine learning", "ml", "ai", "artificial intelligence", "deep learning", "llm",
        "머신러닝", "인공지능", "딥러닝", "AI",
    ),
    "tech.slack": ("slack", "슬랙"),
    "tech.pypi": ("pypi", "pip", "파이파이"),
    "tech.kubectl_plugin": ("kubectl plugin", "krew"),
    "spellcheck": ("spell check", "spell checker", "spelling", "grammar", "proofread", "맞춤법", "맞춤법 검사", "문법", "교정"),
    "bus": ("bus", "transit", "public transport", "버스", "대중교통", "교통"),
    "rate_limit": ("rate limit", "rate limiting", "rate limiter", "throttle", "throttling", "처리율 제한", "레이트 리밋", "속도 제한"),
}

# The English word "go" is a verb far more often than the language; only these
# spellings count as the Go language (see analysis.py for the capitalised "Go").
GO_LANGUAGE_SURFACE = "Go"

# Korean words Kiwi would otherwise split into odd pieces ("백엔드" -> 백/엔드).
# Registered once when the analyser is built.
EXTRA_KOREAN_USER_NOUNS: tuple[str, ...] = (
    "백엔드", "프론트엔드", "프런트엔드", "해커톤", "밋업", "데브옵스", "오픈채팅", "핸드드립", "스타트업",
    "쿠버네티스", "카카오톡", "깃허브", "링크드인", "마이크로서비스", "포트폴리오", "테크리드",
    "교환학생", "자기소개", "재택근무", "기술스택", "사이드잡", "재능기부", "레이트리밋", "포스트모템",
)

# Broader concepts a named thing also belongs to: "PostgreSQL" answers "which databases",
# "AWS" answers "which cloud". Terms of a concept get its parents' ids too.
CONCEPT_PARENTS: dict[str, tuple[str, ...]] = {
    "tech.postgres": ("database",), "tech.mysql": ("database",), "tech.redis": ("database",),
    "tech.sql": ("database", "programming_language"),
    "tech.kafka": ("queue", "data"), "tech.airflow": ("data",),
    "tech.kubernetes": ("infrastructure",), "tech.docker": ("infrastructure",),
    "tech.terraform": ("infrastructure",), "tech.argocd": ("infrastructure",),
    "tech.prometheus": ("infrastructure",), "tech.grafana": ("infrastructure",), "tech.linux": ("infrastructure",),
    "tech.aws": ("cloud",), "tech.gcp": ("cloud",), "tech.azure": ("cloud",),
    "tech.react": ("frontend",), "tech.nextjs": ("frontend",), "tech.vue": ("frontend",), "tech.html": ("frontend",),
    "tech.python": ("programming_language",), "tech.go": ("programming_language",),
    "tech.java": ("programming_language",), "tech.javascript": ("programming_language",),
    "tech.typescript": ("programming_language",), "tech.rust": ("programming_language",),
    "tech.cpp": ("programming_language",), "tech.kotlin": ("programming_language",),
    "tech.swift": ("programming_language",),
    "tech.django": ("backend",), "tech.fastapi": ("backend",), "tech.flask": ("backend",),
    "tech.spring": ("backend",), "tech.grpc": ("backend",), "tech.rest": ("backend",),
    "weekend": ("hobby",),
    "previous": ("past",),
}
