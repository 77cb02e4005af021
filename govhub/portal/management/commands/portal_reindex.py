from django.core.management.base import BaseCommand

from govhub.portal import search, search_words


class Command(BaseCommand):
    help = "重建门户站内搜索索引"

    def handle(self, *args, **opts):
        count = search.reindex_all()
        search_words.forget()
        self.stdout.write(f"已索引 {count} 篇文章")
