// Subsquid's TypeormDatabase loads the entity classes from `<projectDir>/lib/model`; the indexer
// passes projectDir = (compiled) schema/, so this re-export makes it use these very classes.
export * from '../../model';
