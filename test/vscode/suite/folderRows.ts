/**
 * A folder's rows once its first page is in: a folder the mirror does not know yet shows a loading
 * row while the page comes in the background (no network inside getChildren), then is redrawn.
 */
import type { TreeNode } from '../../../src/tree/treeNode';
import { until } from '../../support/waitFor';

const isLoading = (node: TreeNode) => node.getTreeItem().contextValue === 'notice+loading';

export function folderRows(folder: TreeNode, timeoutMs = 15_000): Promise<TreeNode[]> {
  return until(
    async () => {
      const rows = ((await folder.getChildren()) ?? []) as TreeNode[];
      return rows.some(isLoading) ? undefined : rows;
    },
    timeoutMs,
    'the first page of the folder in place of its loading row',
  );
}
