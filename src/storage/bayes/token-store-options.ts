/** How a Bayes token store is opened (both backends). */
export interface TokenStoreOptions {
  /**
   * Learned messages kept at most: learning one more forgets the least recently learned
   * (`[antispam.bayes] max_learned`). 0 or absent: no limit.
   */
  maxLearned?: number;
}
