// Several classes seed torch's process-global generator (ClipEmbedder.CreateRandom, the contrastive trainer): run in
// parallel they draw each other's numbers, and ContrastiveTrainerTests.TheSameSeedTrainsTheSameWeights failed that
// way once the lab's trainer landed beside the other tests. Run this project's classes one at a time.
[assembly: CollectionBehavior(CollectionBehavior.CollectionPerAssembly)]
