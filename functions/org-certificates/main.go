// Command org-certificates is the Lambda function of the portal route "org-certificates".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-certificates") }
