// Command org-get is the Lambda function of the portal route "org-get".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("org-get") }
