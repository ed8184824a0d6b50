// Command org-list is the Lambda function of the portal route "org-list".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-list") }
