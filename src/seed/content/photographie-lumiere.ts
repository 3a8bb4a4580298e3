/**
 * A course in French for every level, in another category: the catalogue's language, level and
 * category filters and facets have more than one value to show. Its second module opens three
 * days after enrolment.
 */
import type { CourseSpec } from '../learning/spec.ts'

export const PHOTOGRAPHIE_LUMIERE: CourseSpec = {
  slug: 'photographie-maitriser-la-lumiere',
  title: 'Photographie : maîtriser la lumière',
  summary:
    "Comprendre l'exposition — ouverture, vitesse, ISO — et apprendre à lire la lumière naturelle pour des photos nettes, bien exposées et expressives.",
  description: `La photographie, c'est d'abord de la lumière. Ce cours vous apprend à reprendre la main sur
votre appareil — reflex, hybride ou smartphone en mode manuel — pour que l'image ressemble à ce
que vous avez vu.

## Au programme

- le **triangle de l'exposition** : ouverture, vitesse d'obturation et sensibilité ISO
- la **profondeur de champ** et le **flou de mouvement**, voulus ou subis
- la lumière naturelle au fil de la journée : heure dorée, heure bleue, plein midi

Chaque leçon se termine par un exercice à faire avec votre propre appareil. Le deuxième module
s'ouvre trois jours après votre inscription : prenez ce temps pour pratiquer.`,
  level: 'all',
  language: 'fr',
  category: 'photography',
  tags: ['photographie', 'lumière', 'exposition'],
  modules: [
    {
      title: "L'exposition",
      lessons: [
        {
          kind: 'text',
          title: "Le triangle de l'exposition",
          durationMinutes: 10,
          preview: true,
          body: `# Le triangle de l'exposition

Une photo est **bien exposée** quand le capteur reçoit la bonne quantité de lumière : ni trop
(image « cramée », blancs sans détail), ni trop peu (image sombre et bruitée).

Trois réglages décident de cette quantité :

| réglage | ce qu'il contrôle | effet secondaire |
|---------|-------------------|------------------|
| **ouverture** (f/2, f/8…) | la taille du trou par lequel passe la lumière | la profondeur de champ |
| **vitesse** (1/1000 s, 1/30 s…) | la durée pendant laquelle le capteur est exposé | le flou de mouvement |
| **ISO** (100, 3200…) | l'amplification du signal du capteur | le bruit numérique |

## Un stop

Chaque réglage se compte en **stops** : un stop de plus, c'est deux fois plus de lumière.
Passer de 1/250 s à 1/125 s donne un stop de plus ; pour garder la même exposition, il faut en
retirer un ailleurs, par exemple passer de f/4 à f/5,6.

C'est tout l'art du réglage : choisir **quel effet secondaire** vous voulez, l'exposition restant
la même.

## Exercice

Mettez votre appareil en mode priorité ouverture (A ou Av). Photographiez la même scène à f/2,8
puis à f/11 et notez la vitesse choisie par l'appareil à chaque fois.`,
        },
        {
          kind: 'text',
          title: "L'ouverture et la profondeur de champ",
          durationMinutes: 12,
          body: `# L'ouverture et la profondeur de champ

L'ouverture s'exprime en **nombre f** : f/1,8, f/2,8, f/4, f/5,6, f/8, f/11, f/16. Piège classique :
**plus le nombre est petit, plus l'ouverture est grande** — f/1,8 laisse entrer bien plus de lumière
que f/16.

## La profondeur de champ

C'est la zone de l'image qui paraît nette, devant et derrière le point de mise au point.

- **Grande ouverture** (f/1,8 – f/2,8) : zone nette très mince, arrière-plan flou. Idéal pour le
  portrait : le sujet se détache.
- **Petite ouverture** (f/8 – f/16) : presque tout est net, du premier plan à l'horizon. Idéal
  pour le paysage.

Deux autres facteurs comptent : plus vous êtes **près** du sujet et plus la **focale** est longue,
plus la profondeur de champ diminue.

## Exercice

Placez trois objets en ligne, à 30 cm d'écart. Faites la mise au point sur celui du milieu et
photographiez à f/2,8, f/5,6 et f/11. Comparez la netteté des deux autres.`,
        },
        {
          kind: 'text',
          title: "La vitesse d'obturation et le mouvement",
          durationMinutes: 12,
          body: `# La vitesse d'obturation et le mouvement

La vitesse est le temps pendant lequel l'obturateur reste ouvert.

- **Rapide** (1/1000 s et plus) : fige le mouvement — sport, animaux, gouttes d'eau.
- **Moyenne** (1/60 s – 1/250 s) : la plupart des scènes du quotidien.
- **Lente** (1/15 s et moins) : le mouvement devient traînée — cascades soyeuses, phares de
  voitures. Il faut alors un trépied.

## Le flou de bougé

À main levée, une règle simple évite que vos propres mouvements rendent l'image floue : ne
descendez pas sous **1 / focale**. Avec un 50 mm, restez à 1/50 s ou plus rapide ; avec un
200 mm, à 1/200 s. La stabilisation de l'objectif ou du boîtier fait gagner quelques stops.

## Exercice

Photographiez un filet d'eau du robinet à 1/1000 s puis à 1/10 s (appareil posé sur une table).
Observez comment l'eau passe de gouttes figées à un voile continu.`,
        },
        {
          kind: 'text',
          title: 'La sensibilité ISO et le bruit',
          durationMinutes: 10,
          body: `# La sensibilité ISO et le bruit

L'ISO règle l'**amplification** du signal du capteur. Doubler l'ISO (de 400 à 800) donne un stop
de lumière en plus… et amplifie aussi le **bruit** : ce grain coloré visible dans les zones
sombres.

## Quand monter en ISO ?

Quand l'ouverture est déjà au maximum et que la vitesse ne peut plus baisser sans flou. Une
photo nette un peu bruitée vaut toujours mieux qu'une photo propre mais floue.

## Ordres de grandeur

- **100 – 400** : plein jour, qualité maximale
- **800 – 3200** : intérieur, fin de journée ; très correct sur les appareils récents
- **6400 et plus** : concerts, nuit ; le bruit devient visible, surtout en recadrant

## Exercice

Dans une pièce peu éclairée, photographiez la même scène à ISO 400, 1600 et 6400 en gardant
l'exposition constante. Agrandissez les zones sombres à 100 % et comparez.`,
        },
      ],
    },
    {
      title: 'Lire la lumière naturelle',
      releaseOffsetDays: 3,
      lessons: [
        {
          kind: 'text',
          title: 'Heure dorée, heure bleue et plein midi',
          durationMinutes: 12,
          body: `# Heure dorée, heure bleue et plein midi

La même rue change complètement d'aspect au cours d'une journée.

## L'heure dorée

Juste après le lever et juste avant le coucher du soleil, la lumière est **basse, chaude et
douce**. Les ombres sont longues, les visages flattés, les textures révélées. C'est le moment
préféré des photographes de paysage et de portrait.

## L'heure bleue

Après le coucher du soleil, le ciel prend une teinte bleu profond pendant vingt à quarante
minutes. Les éclairages urbains s'allument et s'équilibrent avec le ciel : parfait pour les
villes, avec un trépied.

## Plein midi

Soleil haut, ombres dures et courtes, yeux plissés. Ce n'est pas une fatalité : cherchez
l'**ombre ouverte** (sous un porche, à l'ombre d'un bâtiment), utilisez les contrastes forts
en noir et blanc, ou jouez avec les ombres graphiques.`,
        },
        {
          kind: 'text',
          title: 'Exercice : une semaine de lumière',
          durationMinutes: 30,
          body: `# Exercice : une semaine de lumière

Choisissez **un seul lieu** près de chez vous : une fenêtre, une rue, un arbre.

Pendant sept jours, photographiez-le depuis le même point de vue à des heures différentes :
au lever du soleil, à midi, à l'heure dorée du soir, à l'heure bleue, et par temps couvert.

Pour chaque photo, notez :

1. l'heure et la météo ;
2. vos réglages (ouverture, vitesse, ISO) ;
3. en une phrase, ce que la lumière fait à la scène.

À la fin de la semaine, mettez les images côte à côte. Lesquelles préférez-vous, et pourquoi ?
Vous venez de constituer votre propre référence de la lumière naturelle.`,
        },
      ],
    },
  ],
}
