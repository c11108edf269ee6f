import { FrameworkBrowser } from '../../features/frameworks/components/framework-browser.js';

export function FrameworkRoute({ frameworkId, itemId }: { frameworkId: string; itemId?: string | undefined }) {
  // Keyed by framework: moving to another framework starts with a fresh tree state.
  return <FrameworkBrowser key={frameworkId} frameworkId={frameworkId} itemId={itemId} />;
}
