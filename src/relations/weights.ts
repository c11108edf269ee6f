// Made by scripts/fit-relations.ts (do not edit): the offline estimator's weights, fitted on all the shared ground
// truths (docs/relations.md#how-the-weights-are-fitted). Figures measured with them on those truths are in-sample;
// the held-out figures come from cross-validation (relations evaluate --cross-validate, or the script's output).
import type { OfflineWeights } from './learn.js';

export const fittedWeights: OfflineWeights = {
  "precedes": {
    "features": [
      "bias",
      "words",
      "chars",
      "categoryText",
      "rankAmongOrigins",
      "rankAmongDestinations",
      "relativeToBest",
      "sameGrade",
      "nextGrade",
      "laterGrade",
      "sameDomain",
      "family",
      "sameCategory",
      "earlierInDocument",
      "nextSibling",
      "siblingCloseness",
      "knowledgeToThinking",
      "lastKnowledgeToFirstThinking",
      "thinkingToThinking",
      "thinkingOrigin",
      "samePlaceInStrand",
      "originDeeper",
      "originShallower",
      "words×sameGrade",
      "words×nextGrade",
      "words×otherDomain",
      "best×sameDomain",
      "best×family",
      "best×otherDomain",
      "categoryText×nextGrade",
      "siblingCloseness×words"
    ],
    "weights": [
      -6.742398,
      -0.543611,
      -2.086326,
      -0.068597,
      0.46557,
      1.932991,
      1.904223,
      -1.687905,
      1.496509,
      0.191396,
      1.642894,
      -0.835007,
      0.144962,
      0.71411,
      -0.1467,
      2.845388,
      0.095368,
      5.713131,
      -1.167105,
      -3.281,
      2.016859,
      1.342448,
      1.234431,
      -1.298427,
      0.231866,
      2.486489,
      0.697817,
      0.033338,
      1.206405,
      -1.446418,
      -0.208518
    ],
    "threshold": 0.15,
    "perDestination": 2,
    "perOrigin": 2
  },
  "related": {
    "features": [
      "bias",
      "words",
      "chars",
      "categoryText",
      "mutualRank",
      "relativeToBest",
      "sameDomain",
      "sameCategory",
      "knowledgeAndThinking",
      "bothThinking",
      "adjacent",
      "sameDepth",
      "words×otherDomain"
    ],
    "weights": [
      -9.49545,
      -2.516801,
      2.75181,
      -2.813524,
      0.33542,
      2.000977,
      0.186509,
      1.295947,
      0,
      0,
      1.259678,
      0.944305,
      -1.030436
    ],
    "threshold": 0.05,
    "perItem": 1
  },
  "fittedOn": [
    {
      "name": "ccss",
      "framework": "1a92dc03-e518-58d6-83a0-16a1f62195d4",
      "precedes": 757,
      "isRelatedTo": 142
    },
    {
      "name": "smarter-balanced",
      "framework": "255adad7-2854-47d7-9aa4-c5e1750eb8ca",
      "precedes": 419,
      "isRelatedTo": 1
    },
    {
      "name": "rika-commentary",
      "framework": "63cf7c41-59ec-5679-b4cb-e8b18dfe4e36",
      "precedes": 19,
      "isRelatedTo": 0
    },
    {
      "name": "sansu-curated",
      "framework": "bfe81d26-eb61-5829-9e4e-8a3cafd74db6",
      "precedes": 162,
      "isRelatedTo": 0
    }
  ]
};
