import { useEffect } from 'react';

/** "<page> · Shirube"; the bare name while the page has no title yet. */
export function useDocumentTitle(title: string | undefined): void {
  useEffect(() => {
    document.title = title ? `${title} · Shirube` : 'Shirube 標';
  }, [title]);
}
