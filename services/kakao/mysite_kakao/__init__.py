"""mysite's Kakao relay: the owner's Kakao connection and visitors' messages to KakaoTalk."""
