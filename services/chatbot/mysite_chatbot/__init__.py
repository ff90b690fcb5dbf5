"""mysite's chatbot service: answers questions about the owner from the site's content."""
